"""Report requests live in requests.py; official letters in letters.py; news in news.py."""

from .requests import *  # noqa: F403
