import logging
import sys

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.core.signals import got_request_exception
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)


class LocaleMiddleware:
    """Vietnamese unless the person chose English with the language switch.

    Django's own LocaleMiddleware would follow the browser's Accept-Language, and many school
    computers and phones are set to English: the portal would then greet Vietnamese teachers in
    English. Only the language cookie (set by the switch in the header) changes the language here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware (the policy is CONTENT_SECURITY_POLICY in settings), except on PDFs.

    The policy guards the pages the portal writes. A PDF is shown by the browser's built-in viewer, which
    Chromium runs as a plugin: `object-src 'none'` on the PDF's own response would leave the frame of
    the course or library page blank. A view that sets its own policy (simulation packages: "sandbox
    allow-scripts") keeps it: django-csp never replaces a header that is already there."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)


class RetryReadOnDatabaseRestartMiddleware:
    """A page read (GET/HEAD) that failed because PostgreSQL cut its connection is served again, once, on a
    new connection (issue #19, point 5: PostgreSQL restarted under load).

    CONN_HEALTH_CHECKS replaces a connection that died while idle, and `truonghoc.postgresql` waits for a
    database that refuses connections while it starts; what neither covers is the request that was already
    using its connection when PostgreSQL went away. A read changes nothing, so running it again on a fresh
    connection is safe and the person sees the page instead of an error. Writes are never replayed: a
    POST's outcome is unknown once its connection is gone, so it keeps its error.

    It sits near the top of MIDDLEWARE so that a connection cut in any middleware below (the session, the
    user) is covered, not only in the view; `got_request_exception` tells it the error was the database's."""

    SAFE = frozenset({"GET", "HEAD"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 500
            and request.method in self.SAFE
            and getattr(request, "_database_went_away", False)
            and not getattr(request, "_database_retried", False)
        ):
            from django.db import connections

            request._database_retried = True
            request._database_went_away = False
            for connection in connections.all(initialized_only=True):
                connection.close()
            logger.warning("The database connection was lost during %s %s; serving it again", request.method,
                           request.path)  # fmt: skip
            response = self.get_response(request)
        return response


def _note_database_went_away(sender, request=None, **kwargs):
    """`got_request_exception` is sent inside Django's `except` block: the exception is sys.exc_info()'s."""
    from django.db import InterfaceError, OperationalError

    error = sys.exc_info()[1]
    if request is not None and isinstance(error, (OperationalError, InterfaceError)):
        request._database_went_away = True


got_request_exception.connect(_note_database_went_away, dispatch_uid="truonghoc.retry_read_on_database_restart")
