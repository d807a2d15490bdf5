"""Units are built through the services, as the application builds them."""

import itertools

from units.models import Unit
from units.services import unit_create

_codes = itertools.count(1)


def make_unit(parent: Unit | None, kind: str, name: str | None = None, **extra) -> Unit:
    number = next(_codes)
    return unit_create(
        actor=None,
        parent=parent,
        code=extra.pop("code", f"U{number:05d}"),
        name=name or f"{kind} {number}",
        kind=kind,
        **extra,
    )
