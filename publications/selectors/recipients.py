"""The units the recipients picker offers one by one (forms.recipients), for letters and report requests."""

from collections.abc import Callable

from django.db.models import Q

from units.models import Unit
from units.selectors import children_q, in_subtree_q

# Above this many units below the issuer, the "single units" list shows only the units directly
# below it (a Ministry has tens of thousands of schools); units further down are chosen by code.
UNIT_CHOICES_MAX = 1500

_FIELDS = ("pk", "name", "code", "path", "depth", "kind")


def recipient_unit_choices_below(*, issuers: list[Unit], kinds_for: Callable[[Unit], frozenset]) -> list[Unit]:
    """Active units below the issuers of the kinds each may address (`kinds_for(issuer)`), in tree order;
    past UNIT_CHOICES_MAX only the units directly below."""
    if not issuers:
        return []
    below = Q(pk__in=[])
    children = Q(pk__in=[])
    for issuer in issuers:
        kinds = kinds_for(issuer)
        below |= Q(in_subtree_q(issuer, "", include_self=False), kind__in=kinds)
        children |= Q(children_q(issuer, ""), kind__in=kinds)
    units = Unit.objects.filter(below, is_active=True).order_by("path")
    chosen = list(units.only(*_FIELDS)[: UNIT_CHOICES_MAX + 1])
    if len(chosen) > UNIT_CHOICES_MAX:
        chosen = list(units.filter(children).only(*_FIELDS))
    return chosen
