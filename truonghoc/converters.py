"""The `id` path converter: `<id:pk>` in every app's URLs, for every object id (and position) in a path.

Django's `<int:…>` takes any number of digits, so a thirty-digit id reaches the view and overflows the
database. `<id:…>` matches ASCII digits only and refuses, as "no such URL" (404), a value params.parse_id
refuses (0, or past the BIGINT). It is registered once, when the project package loads
(truonghoc/__init__.py), because courses and materials declare their routes inside their view modules.
"""

from django.urls import register_converter

from .params import parse_id


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the pattern does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
