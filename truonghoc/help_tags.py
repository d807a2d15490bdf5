"""`{% help_link "<section>" %}`: the "?" beside a page's heading, opening that page's section of the help
centre. A builtin (settings.TEMPLATES), so every template may use it without {% load %}.

The help centre lives in portal, which nothing may import; the link is built from the URL name alone
(`help:section`), and tests/portal/test_help.py checks that every section a template names exists."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def help_link(section: str, label: str = "") -> str:
    url = reverse("help:section", args=[section])
    title = _("Help") + (f": {label}" if label else "")
    return format_html(
        '<a class="help-link" href="{}" title="{}" aria-label="{}" data-help-section="{}">'
        '<i class="bi bi-question-circle" aria-hidden="true"></i></a>',
        url,
        title,
        title,
        section,
    )
