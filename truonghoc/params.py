"""Ids and numbers typed by people: in URLs, query strings and posted forms. Every app reads them here.

`str.isdigit()` is not the test: it accepts "²" (int() then raises) and "١٢" (int() reads 12, silently),
and a thirty-digit id passes it but overflows the database's BIGINT (an OverflowError on SQLite, a
DataError on PostgreSQL). These take ASCII digits only, within what the database stores, and answer None
(or the default) for anything else, so a view answers 404 or shows the form's error, never a 500.
Path ids use the `id` converter (converters.py), which applies the same rule.
"""

import re

# The largest value of a BIGINT (BigAutoField) column, the same on SQLite and PostgreSQL.
ID_MAX = 2**63 - 1

_ID = re.compile(r"[0-9]{1,19}")
_INT = re.compile(r"-?[0-9]{1,19}")


def parse_id(value) -> int | None:
    """An object id: an int or ASCII digits (spaces around allowed), 1..ID_MAX; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= ID_MAX else None


def parse_ids(values) -> list[int]:
    """The ids among several values (a checkbox list), in order, without repeats; the rest dropped."""
    ids = (parse_id(value) for value in values or ())
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


def parse_int(value, *, default=None, minimum: int | None = None, maximum: int | None = None):
    """A whole number: an int or ASCII digits with an optional minus sign, within [minimum, maximum] when
    given (and always within a BIGINT); anything else, or out of range, is `default`."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return default
    low = -ID_MAX if minimum is None else minimum
    high = ID_MAX if maximum is None else maximum
    return number if low <= number <= high else default
