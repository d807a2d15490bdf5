"""Links to many objects of one kind on a page, without a URL reversal per row."""

import functools

from django.urls import get_script_prefix, reverse

_PLACEHOLDER = 987654321


def url_maker(name: str):
    """A function pk → the URL `name` takes with that one id: reverse() once (on first use), then the id
    filled in. A page of 150 rows with five links each would otherwise reverse 750 times, a third of its
    time. Only for URL patterns whose single argument is an id (the `id` converter)."""

    @functools.cache
    def pattern() -> str:
        return reverse(name, args=[_PLACEHOLDER])

    return lambda pk: pattern().replace(str(_PLACEHOLDER), str(pk))


# The page frame's fixed links (templates/base.html, components/notification_bell.html): the menu of every
# page reversed them anew, some twenty reversals a request. They take no argument and never change while
# the process runs, so they are reversed once per script prefix (reverse() reads the prefix).
FRAME_URL_NAMES = (
    "home",
    "forums:index",
    "letters:inbox",
    "news:list",
    "courses:catalogue",
    "materials:library",
    "materials:quiz_list",
    "materials:quiz_taking_list",
    "notifications:list",
    "accounts:profile",
    "account_change_password",
    "contests:list",
    "help:index",
    "admin:index",
    "account_logout",
    "account_login",
    "set_language",
)


@functools.cache
def _frame_urls(prefix: str) -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name) for name in FRAME_URL_NAMES}


def frame_urls() -> dict[str, str]:
    """The frame's links by name, with ":" written "_" (`frame_urls.forums_index`), reversed once."""
    return _frame_urls(get_script_prefix())
