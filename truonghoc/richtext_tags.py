"""Template filters of the rich texts (`{% load richtext %}`; registered in settings.TEMPLATES)."""

from django import template
from django.utils.safestring import mark_safe

from . import richtext

register = template.Library()


@register.filter
def rich_text(value) -> str:
    """A stored rich text, sanitised again on display (older plain text shows with its line breaks).
    The only place such a text is marked safe."""
    return mark_safe(richtext.clean_html(value))  # noqa: S308 - the output of the sanitiser


@register.filter
def plain_math(value) -> str:
    return richtext.plain_math(value)
