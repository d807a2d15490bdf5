"""Celery tasks of the materials app (autodiscovered as materials.tasks): question imports and the
closing of attempts left open past their deadline."""

from .attempts import *  # noqa: F403
from .question_io import *  # noqa: F403
