from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
