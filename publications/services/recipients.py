"""Who receives an official letter or a report request: the one resolver of the recipients picker.

People choose kinds of unit ("every THCS school below"), single units from a list, and units by their
codes (forms.recipients). Here the choice is checked against the issuer (only active units below it, of
the kinds it may address) and turned into the units that receive, each once. Letters and report
requests differ only in which kinds of unit they reach and in their words, never in the rules.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q

from units.models import Unit

from ..models import ReportRequest

Audience = ReportRequest.Audience
K = Unit.Kind

AUDIENCE_FILTERS = {
    Audience.DEPARTMENTS: Q(kind=K.DEPARTMENT),
    Audience.OFFICES: Q(kind=K.OFFICE),
    Audience.THPT: Q(kind=K.SCHOOL, school_level=Unit.SchoolLevel.UPPER_SECONDARY),
    Audience.THCS: Q(kind=K.SCHOOL, school_level=Unit.SchoolLevel.LOWER_SECONDARY),
    Audience.PRIMARY: Q(kind=K.SCHOOL, school_level=Unit.SchoolLevel.PRIMARY),
    Audience.MULTI_LEVEL: Q(kind=K.SCHOOL, school_level=Unit.SchoolLevel.MULTI_LEVEL),
    Audience.CONTINUING: Q(kind=K.SCHOOL, school_level=Unit.SchoolLevel.CONTINUING),
    Audience.UNIVERSITIES: Q(kind=K.UNIVERSITY),
}

# The kinds of unit each issuer can find below itself (units.services placement rules).
AUDIENCES_FOR_ISSUER = {
    K.MINISTRY: list(Audience),
    K.DEPARTMENT: [a for a in Audience if a != Audience.DEPARTMENTS],
    K.OFFICE: [Audience.PRIMARY, Audience.THCS, Audience.MULTI_LEVEL],
}


@dataclass(frozen=True)
class RecipientWords:
    """The refusals of a letter's or a request's recipients, in the words its people know. Each is a
    format with %(issuer)s, %(names)s or %(kinds)s (a message may leave out what it does not name)."""

    bad_kinds: str
    outside: str
    wrong_kind: str
    inactive: str
    empty: str
    nobody: str


def recipients_resolve(
    *,
    issuer: Unit,
    kinds: Iterable[str],
    units: Iterable[Unit],
    allowed_kinds: Iterable[str],
    unit_kinds: Iterable[str],
    words: RecipientWords,
) -> list[Unit]:
    """The active units below `issuer` that the chosen kinds (`allowed_kinds`: Audience values) and single
    units (of `unit_kinds`) name, each once, in tree order. Raises ValidationError({field: [...]}) naming
    every unit that cannot receive, and a form-wide error when nothing was chosen or nothing matched."""
    kinds = list(dict.fromkeys(kinds))
    units = list({u.pk: u for u in units}.values())
    unit_kinds = frozenset(unit_kinds)
    names = {"issuer": issuer.name}
    errors: dict[str, list[str]] = {}
    bad_kinds = [kind for kind in kinds if kind not in set(allowed_kinds)]
    if bad_kinds:
        errors["kinds"] = [words.bad_kinds % {**names, "kinds": ", ".join(bad_kinds)}]
    outside = [u for u in units if not (u.path.startswith(issuer.path) and u.depth > issuer.depth)]
    wrong_kind = [u for u in units if u not in outside and u.kind not in unit_kinds]
    inactive = [u for u in units if not u.is_active and u not in outside]
    for message, refused in ((words.outside, outside), (words.wrong_kind, wrong_kind), (words.inactive, inactive)):
        if refused:
            errors.setdefault("units", []).append(message % {**names, "names": ", ".join(u.name for u in refused)})
    if errors:
        raise ValidationError(errors)
    if not kinds and not units:
        raise ValidationError({NON_FIELD_ERRORS: [str(words.empty)]}, code="empty")
    chosen = Q(pk__in=[u.pk for u in units])
    for kind in kinds:
        chosen |= AUDIENCE_FILTERS[kind]
    resolved = list(
        Unit.objects.below(issuer, include_self=False)
        .filter(is_active=True, kind__in=unit_kinds)
        .filter(chosen)
        .order_by("path")
        .only("pk", "code", "path")
    )
    if not resolved:
        raise ValidationError({NON_FIELD_ERRORS: [words.nobody % names]}, code="empty")
    return resolved
