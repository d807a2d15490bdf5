"""Filters every template has without {% load %} (settings: TEMPLATES OPTIONS builtins): the one way
to write numbers for people (truonghoc.formatting)."""

from django import template

from truonghoc import formatting

register = template.Library()


@register.filter
def number(value, decimals=None):
    """{{ 2587|number }} → 2.587; {{ 70.84|number:1 }} → 70,8."""
    return formatting.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def percent(value, decimals=1):
    """{{ 70.84|percent }} → 70,8%; None → —."""
    return formatting.percent(value, int(decimals))
