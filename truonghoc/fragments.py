"""Parts of pages kept in the cache (issue #19, point 9): the one way a page keeps what it computed.

Two kinds, by what makes them change:

- `shared(name, build, *parts)`: the same for everyone who may see it, keyed by what it shows (a unit, a
  period, a snapshot's time, the rows' last change, the viewer's permission class…). It is never stale:
  a change makes a new key, and the old entry expires unread. The caller puts every such input in `parts`.
- `personal(user, name, build, *parts)`: one person's own summary (their home page's lists), kept for
  `PERSONAL_CACHE_SECONDS` (60 by default; 0 turns it off). What *others* change reaches it within that
  minute; what the person changes *themselves* shows at once: every request of theirs that may write and
  did not fail moves their generation (`PersonalCacheMiddleware`, after the login middleware), and every
  personal key carries it. A page that keeps something personal says when it was computed.

Keys carry the active language (a fragment holds translated text). Values are what `build` returns
(rendered HTML as a SafeString, or plain data), pickled by the cache. When Redis is down the cache falls
back to each process's memory (truonghoc/cache.py): fragments are then built per process, and a person's
generation is per process too, so one of their writes may take up to a minute to show on the other
processes' copies.
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.safestring import mark_safe

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PREFIX = "frag"
# A shared fragment's forms must not carry one person's CSRF token: render it with {"csrf_token": CSRF_SLOT}
# in the context (so `{% csrf_token %}` writes the slot) and put the request's own token in with `with_csrf`.
CSRF_SLOT = "csrf-slot-of-the-request"


def personal_seconds() -> int:
    return getattr(settings, "PERSONAL_CACHE_SECONDS", 60)


def _key(name: str, parts: tuple) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"{PREFIX}:{name}:{translation.get_language() or settings.LANGUAGE_CODE}:{digest}"


def _generation_key(user_id: int) -> str:
    return f"{PREFIX}:gen:{user_id}"


def shared(name: str, build: Callable[[], T], *parts, seconds: int = 300) -> T:
    """`build()`'s value for these `parts`, from the cache when another request already built it."""
    key = _key(name, parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def personal(user, name: str, build: Callable[[], T], *parts) -> T:
    """`build()`'s value for this person, at most `PERSONAL_CACHE_SECONDS` old and never older than their own
    last write."""
    seconds = personal_seconds()
    if seconds <= 0:
        return build()
    generation_key = _generation_key(user.pk)
    generation = cache.get(generation_key, 0)
    key = _key(name, (user.pk, generation, *parts))
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def personal_changed(user_id: int) -> None:
    """This person just changed something: their personal fragments are built again on the next read.

    The generation is a clock reading, so it never repeats even when an earlier one was evicted; it lives
    twice as long as a fragment, so no fragment can outlive the generation it was built under."""
    seconds = personal_seconds()
    if seconds > 0:
        cache.set(_generation_key(user_id), time.time_ns(), seconds * 2)


def people_changed(user_ids) -> None:
    """Others changed what these people's personal fragments show (a notification for each of them): theirs
    are built again on the next read. After the transaction commits, so no read in between can keep the
    old state under the new generation."""
    seconds = personal_seconds()
    ids = list(user_ids)
    if seconds <= 0 or not ids:
        return

    def bump() -> None:
        now = time.time_ns()
        cache.set_many({_generation_key(pk): now for pk in ids}, seconds * 2)

    transaction.on_commit(bump)


class PersonalCacheMiddleware:
    """After a request of a logged-in person that may have written and did not fail, their personal
    fragments are dropped (read-your-writes for the person who wrote, as the replica's cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            # Read after the view (a GET never loads the person for this); who logged out is anonymous now.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                personal_changed(user.pk)
        return response


def with_csrf(request, html: str) -> str:
    """A cached fragment made this request's: its forms' CSRF slots filled with the request's token."""
    if CSRF_SLOT not in html:
        return html
    # One masked token for the whole request, as the csrf context processor gives its template: each
    # get_token() call masks the secret afresh (32 random choices), which a course page's 30 cards paid 30 times.
    token = getattr(request, "_fragments_csrf_token", None)
    if token is None:
        token = request._fragments_csrf_token = get_token(request)
    return mark_safe(html.replace(CSRF_SLOT, token))  # noqa: S308 - a token of [A-Za-z0-9]
