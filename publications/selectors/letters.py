"""Reads of official letters. Each list is a fixed number of queries whatever its length: receipts
live on the recipient rows, counts are annotated, and related rows are joined or prefetched."""

import re
from datetime import datetime

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from truonghoc.text import fold
from units.models import Unit

from ..models import Letter, LetterCitation, LetterRecipient
from ..permissions.letters import (
    LETTER_ISSUER_KINDS,
    letter_membership,
    letters_visible_q,
    managed_unit_paths,
    recipient_q,
)
from ..services.letters import REMINDER_INTERVAL, recipient_kinds_for
from .recipients import recipient_unit_choices_below

Status = Letter.Status


def letter_issuing_units(*, user) -> list[Unit]:
    """The units the user speaks for and may issue letters from, highest first. A site administrator
    holds no role: they issue on behalf of the tree's root units."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    paths = managed_unit_paths(user)
    units = Unit.objects.filter(is_active=True, kind__in=LETTER_ISSUER_KINDS)
    if paths:
        units = units.filter(path__in=sorted(paths))
    elif user.is_superuser:
        units = units.filter(depth=1)
    else:
        return []
    return list(units.order_by("depth", "path"))


def letter_recipient_unit_choices(*, issuers: list[Unit]) -> list[Unit]:
    """Units that may be chosen one by one below the issuers, in tree order (a school's groups included);
    past UNIT_CHOICES_MAX only the units directly below (the others are chosen by code)."""
    return recipient_unit_choices_below(issuers=issuers, kinds_for=recipient_kinds_for)


def letters_visible_to(*, user) -> QuerySet[Letter]:
    return Letter.objects.filter(letters_visible_q(user))


def letter_inbox(*, user, show: str = "all") -> QuerySet[Letter]:
    """ "Công văn đến": issued letters sent (or forwarded) to the units the user belongs to and that they
    may read (a student: those addressed to everyone), those not yet read there first, then the newest."""
    received = recipient_q(user)
    if received is None:
        return Letter.objects.none()
    rows = LetterRecipient.objects.filter(letter=OuterRef("pk"), unit_id__in=letter_membership(user).all_ids)
    letters = (
        Letter.objects.filter(received, status=Status.ISSUED)
        .annotate(
            is_unread=~Exists(rows.filter(read_at__isnull=False)),
            received_at=Subquery(rows.order_by("added_at").values("added_at")[:1]),
        )
        .select_related("issuer")
    )
    if show == "unread":
        letters = letters.filter(is_unread=True)
    return letters.order_by(F("is_unread").desc(), "-issued_on", "-issued_at", "-id")


def letters_sent(*, user, query: str = "") -> QuerySet[Letter]:
    """ "Công văn đi": drafts and letters of the units the user speaks for, with how many recipients
    have opened each."""
    if getattr(user, "is_superuser", False):
        letters = Letter.objects.all()
    else:
        paths = managed_unit_paths(user)
        if not paths:
            return Letter.objects.none()
        letters = Letter.objects.filter(issuer__path__in=sorted(paths))
    if query.strip():
        letters = letters.filter(search_text__contains=fold(query))
    return (
        letters.select_related("issuer", "created_by")
        .annotate(
            recipient_count=Count("recipients"),
            read_count=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def letter_receipt_rows(*, letter: Letter, rows_q: Q, unread_only: bool = False) -> QuerySet[LetterRecipient]:
    rows = (
        letter.recipients.filter(rows_q)
        .select_related("unit", "read_by", "forwarded_by_unit")
        .order_by("unit__path", "pk")
    )
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows


def letter_receipt_counts(*, letter: Letter, rows_q: Q) -> dict:
    """{"total", "read", "unread", "last_reminded_at"} for the rows the viewer follows, in one query."""
    counts = letter.recipients.filter(rows_q).aggregate(
        total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)), last_reminded_at=Max("reminded_at")
    )
    counts["unread"] = counts["total"] - counts["read"]
    return counts


def letter_next_reminder_at(last_reminded_at: datetime | None) -> datetime | None:
    """When the next reminder may go out, or None if one may go now."""
    if last_reminded_at is None or timezone.now() >= last_reminded_at + REMINDER_INTERVAL:
        return None
    return last_reminded_at + REMINDER_INTERVAL


def letter_citations(*, letter: Letter, user) -> tuple[list[LetterCitation], list[Letter]]:
    """(the "Căn cứ" lines in order: typed references, and the letters it cites that the user may see;
    the issued letters citing it that the user may see)."""
    visible = letters_visible_q(user)
    cites = list(
        letter.citations.filter(Q(cited__isnull=True) | Q(cited__in=Letter.objects.filter(visible).values("pk")))
        .select_related("cited__issuer")
        .order_by("position")
    )
    cited_by = list(
        letter.cited_by.filter(visible, status=Status.ISSUED).select_related("issuer").order_by("-issued_on", "-id")
    )
    return cites, cited_by


def letter_recipient_summary(*, letter: Letter) -> dict:
    """How many units received the letter from the issuer, how many by forwarding, and how many opened it."""
    return letter.recipients.aggregate(
        direct=Count("pk", filter=Q(forwarded_by_unit__isnull=True)),
        forwarded=Count("pk", filter=Q(forwarded_by_unit__isnull=False)),
        read=Count("pk", filter=Q(read_at__isnull=False)),
    )


_REFERENCE = re.compile(r"^\s*(\d+)\s*/\s*(.+?)\s*(?:\((\d{4})\))?\s*$")


# A bare reference of a letter in the system: number/symbol, the year in brackets maybe, nothing else.
# Anything else on a line of "Căn cứ" ("Nghị định 30/2020/NĐ-CP", "Công văn số 4567/BGDĐT-GDTrH ngày
# 05/9/2024") is a typed reference to a document outside the system.
_BARE_REFERENCE = re.compile(r"^\s*\d+\s*/\s*\S+\s*(?:\(\d{4}\))?\s*$")


def is_bare_reference(text: str) -> bool:
    return bool(_BARE_REFERENCE.match(text or ""))


def letters_by_reference(*, user, references: list[str]) -> tuple[list[Letter], list[str]]:
    """Find the issued letters the user may see by references typed as "1364/SGDĐT-GDTrH", optionally
    followed by the year in brackets: "1364/SGDĐT-GDTrH (2024)". Returns (letters, problems)."""
    found, problems = letters_by_reference_map(user=user, references=references)
    return list({letter.pk: letter for letter in found.values()}.values()), problems


def letters_by_reference_map(*, user, references: list[str]) -> tuple[dict[str, Letter], list[str]]:
    """Like letters_by_reference, keyed by the reference as typed: ({reference: letter}, problems)."""
    found: dict[str, Letter] = {}
    problems: list[str] = []
    parsed = []
    for reference in references:
        match = _REFERENCE.match(reference)
        if not match:
            problems.append(reference)
            continue
        parsed.append((reference, int(match.group(1)), match.group(2), match.group(3)))
    if not parsed:
        return {}, problems
    wanted = Q(pk__in=[])
    for _ref, number, symbol, _year in parsed:
        wanted |= Q(number=number, symbol__iexact=symbol)
    candidates = list(
        letters_visible_to(user=user)
        .filter(wanted, status=Status.ISSUED)
        .select_related("issuer")
        .order_by("-issued_on")
    )
    for reference, number, symbol, year in parsed:
        matching = [
            c
            for c in candidates
            if c.number == number and c.symbol.lower() == symbol.lower() and (year is None or c.year == int(year))
        ]
        if len(matching) == 1:
            found[reference] = matching[0]
        else:
            problems.append(reference)
    return found, problems


def letters_received_about(*, unit: Unit, since, until, phrases: list[str]) -> QuerySet[Letter]:
    """Issued letters `unit` received (directly or forwarded to it) dated `since`–`until` whose folded
    reference, subject or text holds one of `phrases` (folded): e.g. a school's directives about online
    teaching in a school year, for its records (teaching, issue #17). Oldest first; one query."""
    words = Q()
    for phrase in phrases:
        words |= Q(search_text__contains=fold(phrase))
    return (
        Letter.objects.filter(
            words,
            Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), unit=unit)),
            status=Status.ISSUED,
            issued_on__gte=since,
            issued_on__lte=until,
        )
        .select_related("issuer")
        .order_by("issued_on", "id")
    )
