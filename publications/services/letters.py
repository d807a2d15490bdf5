"""Every write of official letters (công văn): drafting, issuing (recipient rows, their managers
notified), forwarding down the tree, read receipts and reminders.

The number is typed by the person, as it is written on the signed paper letter; nothing numbers a
letter automatically. A letter is final once issued: only drafts change. Attachments are checked by
content before anything is written, and a refusal leaves neither rows nor files behind.
"""

import html
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Required, TypedDict, Unpack

import nh3
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forums.services import clean_body
from notifications.services import notify
from truonghoc.formatting import date_text, datetime_text
from truonghoc.storage import private_storage
from truonghoc.text import fold, nfc
from truonghoc.uploads import CheckedFile, check_upload, files_removed_on_failure
from units.models import Unit, in_subtree_q
from units.permissions import UNIT_MANAGER_ROLES
from units.services import audit_log

from ..models import Letter, LetterAttachment, LetterCitation, LetterRecipient
from ..permissions.letters import (
    TEACHING_ROLES,
    can_issue_letter,
    can_view_letter,
    forwarding_units,
    receipt_roles,
    receipt_rows_q,
)
from .recipients import AUDIENCES_FOR_ISSUER, RecipientWords, recipients_resolve

K = Unit.Kind
Status = Letter.Status
Addressees = Letter.Addressees

ATTACHMENT_TYPES = ("pdf", "docx")
ATTACHMENT_MAX_BYTES = 30 * 1024 * 1024
ATTACHMENTS_MAX = 10
BODY_MAX_CHARS = 200_000
REMINDER_INTERVAL = timedelta(minutes=10)
RECIPIENT_BATCH_SIZE = 1000
# "Căn cứ": at most this many lines, each typed reference at most this long (a number, a date, an
# issuer and a subject fit; the text of the letter cited does not belong here).
CITATIONS_MAX = 30
CITATION_TEXT_MAX = 400
CITATION_TEXT_MIN = 5
_CITATION_LEAD = re.compile(r"^(?:căn cứ|can cu)\s*[:\-–]?\s*", re.IGNORECASE)
# Letters go to the units that report (Departments, Offices, schools, universities); a school's letters
# go to its professional groups.
LETTER_RECIPIENT_KINDS = frozenset({K.DEPARTMENT, K.OFFICE, K.SCHOOL, K.UNIVERSITY, K.GROUP})


def _plain(body_html: str) -> str:
    return html.unescape(nh3.clean(body_html or "", tags=set()))


def _search_text(letter: Letter, references: list[str] | None = None) -> str:
    """What the archive searches, folded once here instead of at every search. The typed references of its
    "Căn cứ" are in it, so a search for "30/2020/NĐ-CP" finds the letters based on that decree;
    `references` None reads those of a saved letter."""
    if references is None:
        references = (
            list(letter.citations.filter(cited__isnull=True).values_list("text", flat=True)) if letter.pk else []
        )
    parts = [
        letter.reference,
        letter.subject,
        letter.issuer.name,
        letter.signer_name,
        letter.signer_title,
        _plain(letter.body),
        *references,
    ]
    return fold(" ".join(p for p in parts if p))


def _forbidden(unit: Unit) -> ValidationError:
    return ValidationError(_("You cannot issue letters on behalf of %(unit)s.") % {"unit": unit.name}, code="forbidden")


def _managers_of(unit_ids, *, teachers_too: bool = False) -> QuerySet:
    """The active people who manage the given units, held at each unit itself (a school's admin and
    principal, an Office's staff…); with `teachers_too`, also the teachers of those units and of the
    groups of those schools. `unit_ids` may be a list or a values("unit_id") subquery."""
    held_here = Q(role_assignments__role__in=sorted(UNIT_MANAGER_ROLES), role_assignments__unit_id__in=unit_ids)
    if teachers_too:
        groups = Unit.objects.filter(kind=K.GROUP).children_of(unit_ids)
        held_here |= Q(role_assignments__role__in=sorted(TEACHING_ROLES)) & (
            Q(role_assignments__unit_id__in=unit_ids) | Q(role_assignments__unit__in=groups)
        )
    return get_user_model().objects.filter(held_here, is_active=True).distinct().order_by("pk")


LETTER_RECIPIENT_WORDS = RecipientWords(
    bad_kinds=gettext_lazy("%(issuer)s has no units of these kinds below it: %(kinds)s."),
    outside=gettext_lazy("These units are not under %(issuer)s, so it cannot send them a letter: %(names)s."),
    wrong_kind=gettext_lazy("%(issuer)s cannot send letters to these units: %(names)s."),
    inactive=gettext_lazy("These units are no longer active: %(names)s."),
    empty=gettext_lazy("Choose the recipients: kinds of unit, single units, or both."),
    nobody=gettext_lazy("No unit below %(issuer)s matches the recipients you chose; nobody would receive the letter."),
)


def letter_recipients_resolve(*, issuer: Unit, kinds: Iterable[str], units: Iterable[Unit]) -> list[Unit]:
    """The units below `issuer` that the chosen kinds and single units name, each once: the recipients
    picker's rules (services.recipients), with the kinds a letter reaches (a school: its groups)."""
    return recipients_resolve(
        issuer=issuer,
        kinds=kinds,
        units=units,
        allowed_kinds=[a.value for a in AUDIENCES_FOR_ISSUER.get(issuer.kind, [])],
        unit_kinds=recipient_kinds_for(issuer),
        words=LETTER_RECIPIENT_WORDS,
    )


def recipient_kinds_for(issuer: Unit) -> frozenset:
    """A school writes to its own professional groups; the units above write to the units that report."""
    if issuer.kind in (K.SCHOOL, K.UNIVERSITY):
        return frozenset({K.GROUP})
    return LETTER_RECIPIENT_KINDS - {K.GROUP}


def _duplicate_number(letter: Letter) -> str | None:
    """The message naming the issued letter that already has this number this year, or None."""
    if letter.number is None:
        return None
    existing = (
        Letter.objects.filter(issuer_id=letter.issuer_id, year=letter.year, number=letter.number, status=Status.ISSUED)
        .exclude(pk=letter.pk)
        .first()
    )
    if existing is None:
        return None
    return _(
        "Number %(number)d of %(year)d is already used by the letter %(reference)s “%(subject)s” issued on "
        "%(date)s. Check the number written on the signed letter."
    ) % {
        "number": letter.number,
        "year": letter.year,
        "reference": existing.reference,
        "subject": existing.subject,
        "date": date_text(existing.issued_on),
    }


def _cite_errors(*, actor, letter: Letter, cites: list[Letter]) -> list[str]:
    errors = []
    for cited in cites:
        if letter.pk is not None and cited.pk == letter.pk:
            errors.append(_("A letter cannot cite itself."))
        elif cited.status != Status.ISSUED or not can_view_letter(actor, cited):
            errors.append(
                _("You can only cite letters that were issued and that you can see (%(reference)s).")
                % {"reference": cited.reference}
            )
        elif letter.issued_on and cited.issued_on > letter.issued_on:
            errors.append(
                _("%(reference)s is dated %(date)s, after this letter; a letter can only cite earlier letters.")
                % {"reference": cited.reference, "date": date_text(cited.issued_on)}
            )
    return errors


def citation_text_clean(text: str) -> str:
    """A typed reference as it is kept: NFC, plain text (tags and their scripts removed), one line, without
    the "Căn cứ" it is already shown under nor the ";" that ended it in the letter."""
    plain = nfc(html.unescape(nh3.clean(nfc(text), tags=set())))
    return nfc(_CITATION_LEAD.sub("", plain)).rstrip(" ;,.")


def _citations(items: list) -> tuple[list, list[str]]:
    """The "Căn cứ" lines in order (letters, and typed references cleaned), each once, and what is wrong."""
    lines, errors, seen = [], [], set()
    for item in items:
        if isinstance(item, Letter):
            key = ("letter", item.pk)
        else:
            raw = nfc(str(item))
            item = citation_text_clean(raw)
            if not item:
                if raw:
                    errors.append(
                        _("“%(text)s” has no reference left once markup is removed; type the reference as plain text.")
                        % {"text": raw[:60]}
                    )
                continue
            if len(item) > CITATION_TEXT_MAX:
                errors.append(
                    _(
                        "The reference “%(start)s…” has %(length)d characters; a reference can have at most "
                        "%(max)d. Keep its kind, number, date and issuer."
                    )
                    % {"start": item[:50], "length": len(item), "max": CITATION_TEXT_MAX}
                )
                continue
            if len(item) < CITATION_TEXT_MIN:
                errors.append(
                    _(
                        "“%(text)s” is too short to say which document is meant; write it in full, for example "
                        "“Nghị định 30/2020/NĐ-CP”."
                    )
                    % {"text": item}
                )
                continue
            key = ("text", fold(item))
        if key not in seen:
            seen.add(key)
            lines.append(item)
    if len(lines) > CITATIONS_MAX:
        errors.append(
            _("A letter can cite at most %(max)d documents; this one cites %(count)d.")
            % {"max": CITATIONS_MAX, "count": len(lines)}
        )
    return lines, errors


def _typed(lines: list) -> list[str]:
    return [line for line in lines if isinstance(line, str)]


def _save_citations(letter: Letter, lines: list) -> None:
    letter.citations.all().delete()
    LetterCitation.objects.bulk_create(
        [
            LetterCitation(letter=letter, position=position, cited=line)
            if isinstance(line, Letter)
            else LetterCitation(letter=letter, position=position, text=line)
            for position, line in enumerate(lines, start=1)
        ]
    )
    letter.cites.set([line for line in lines if isinstance(line, Letter)])


def _check_attachments(uploads: list, *, existing: int) -> tuple[list[CheckedFile], list[str]]:
    checked, errors = [], []
    if existing + len(uploads) > ATTACHMENTS_MAX:
        errors.append(
            _("A letter can have at most %(max)d attached files; it would have %(count)d.")
            % {"max": ATTACHMENTS_MAX, "count": existing + len(uploads)}
        )
    for upload in uploads:
        try:
            checked.append(check_upload(upload, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return checked, errors


def _save_attachments(letter: Letter, checked: list[CheckedFile], saved: list[str]) -> None:
    rows = []
    for item in checked:
        attachment = LetterAttachment(letter=letter, name=item.name, size=item.size)
        attachment.file.save(f"letter.{item.extension}", item.upload, save=False)
        saved.append(attachment.file.name)
        rows.append(attachment)
    LetterAttachment.objects.bulk_create(rows)


def _audience(kinds: list[str], units: list[Unit]) -> dict:
    return {"kinds": kinds, "units": [u.code for u in units]}


def letter_audience_units(letter: Letter) -> list[Unit]:
    codes = (letter.audience or {}).get("units", [])
    return list(Unit.objects.filter(code__in=codes).order_by("path")) if codes else []


def _fill(
    letter: Letter,
    *,
    actor,
    number: int | None,
    symbol: str,
    issued_on: date,
    subject: str,
    signer_name: str,
    signer_title: str,
    body: str,
    is_public: bool,
    kinds: list[str],
    units: list[Unit],
    cites: list,
    addressed_to: str | None,
    errors: dict,
    parents_unit: Unit | None = None,
) -> list:
    """Set the typed fields on `letter` and collect what is wrong with them into `errors`; returns the
    "Căn cứ" lines to save."""
    if len(body or "") > BODY_MAX_CHARS:
        errors["body"] = [_("The text can have at most %(max)d characters.") % {"max": BODY_MAX_CHARS}]
    if number is not None and number < 1:
        errors["number"] = [_("The number is a whole number from 1.")]
    letter.number = number
    letter.symbol = nfc(symbol).strip("/ ")
    letter.issued_on = issued_on
    letter.year = issued_on.year if issued_on else None
    letter.subject = nfc(subject)
    letter.signer_name = nfc(signer_name)
    letter.signer_title = nfc(signer_title)
    letter.body = "" if "body" in errors else clean_body(body)
    letter.is_public = bool(is_public)
    letter.audience = _audience(kinds, units)
    letter.addressed_to = addressed_to or default_addressees(letter.issuer)
    letter.parents_unit = parents_unit
    if parents_unit is not None and not parents_unit_allowed(issuer=letter.issuer, unit=parents_unit):
        errors["parents_unit"] = [
            _(
                "A letter is addressed to the parents of the issuing unit itself or, for a school, of one of "
                "its classes."
            )
        ]
    if issued_on is None:
        errors["issued_on"] = [_("Give the letter's date (dd/mm/yyyy).")]
    elif "number" not in errors:
        duplicate = _duplicate_number(letter)
        if duplicate:
            errors["number"] = [duplicate]
    try:
        letter_recipients_resolve(issuer=letter.issuer, kinds=kinds, units=units)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    lines, cite_errors = _citations(cites)
    cite_errors += _cite_errors(actor=actor, letter=letter, cites=[line for line in lines if isinstance(line, Letter)])
    if cite_errors:
        errors["cites"] = cite_errors
    return lines


def parents_units_for(issuer: Unit) -> list[Unit]:
    """Whose parents a letter of `issuer` may also be addressed to (issue #17): the issuer itself (every
    parent of its subtree) and, for a school, each of its active classes."""
    units = [issuer]
    if issuer.is_school:
        units += list(
            Unit.objects.filter(in_subtree_q(issuer, "", include_self=False), kind=K.CLASS, is_active=True).order_by(
                "grade", "name"
            )
        )
    return units


def parents_unit_allowed(*, issuer: Unit, unit: Unit) -> bool:
    return unit.pk == issuer.pk or (issuer.is_school and unit.kind == K.CLASS and unit.is_active and
                                    Unit.objects.filter(in_subtree_q(issuer, ""), pk=unit.pk).exists())  # fmt: skip


def default_addressees(issuer: Unit) -> str:
    """A school writes to its professional groups, that is to their teachers; the units above write to the
    heads of the units below ("Kính gửi: Hiệu trưởng các trường…")."""
    return Addressees.STAFF if issuer.kind in (K.SCHOOL, K.UNIVERSITY) else Addressees.HEADS


class LetterFields(TypedDict, total=False):
    """A draft's typed fields, as letter_create and letter_update take them (and _fill sets them):
    `cites` is the "Căn cứ" in order, letters in the system and typed references (str) to documents
    that are not; `addressed_to` a Letter.Addressees value (by default default_addressees(issuer))."""

    number: Required[int | None]
    symbol: Required[str]
    issued_on: Required[date]
    subject: Required[str]
    signer_name: Required[str]
    signer_title: Required[str]
    body: str
    is_public: bool
    kinds: Iterable[str]
    units: Iterable[Unit]
    cites: Iterable[Letter | str]
    addressed_to: str | None
    parents_unit: Unit | None


def _checked_draft(letter: Letter, *, actor, fields: LetterFields, attachments, existing: int) -> tuple[list, list]:
    """Fill a new or changed draft with its typed fields and check them with the new files: every problem
    at once, by field, as one ValidationError; else the "Căn cứ" lines and the checked files, for the
    caller to save."""
    fields = {"body": "", "is_public": False, "addressed_to": None, **fields}
    fields.update(
        kinds=list(dict.fromkeys(fields.get("kinds", ()))),
        units=list(fields.get("units", ())),
        cites=list(fields.get("cites", ())),
    )
    errors: dict = {}
    lines = _fill(letter, actor=actor, errors=errors, **fields)
    checked, file_errors = _check_attachments([a for a in attachments if a], existing=existing)
    if file_errors:
        errors["attachments"] = file_errors
    try:
        letter.full_clean(exclude=[*errors, "year"])
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    letter.search_text = _search_text(letter, _typed(lines))
    return lines, checked


@transaction.atomic
def letter_create(*, actor, issuer: Unit, attachments: Iterable = (), **fields: Unpack[LetterFields]) -> Letter:
    """A draft letter of `issuer` (its fields: LetterFields): nothing is sent until letter_issue."""
    if not can_issue_letter(actor, issuer):
        raise _forbidden(issuer)
    letter = Letter(issuer=issuer, created_by=actor, status=Status.DRAFT)
    lines, checked = _checked_draft(letter, actor=actor, fields=fields, attachments=attachments, existing=0)
    with files_removed_on_failure(private_storage()) as saved:
        letter.save()
        _save_citations(letter, lines)
        _save_attachments(letter, checked, saved)
        audit_log(
            actor=actor,
            action="letter.create",
            unit=issuer,
            target=letter,
            after={
                "reference": letter.reference,
                "subject": letter.subject,
                "attachments": len(checked),
                "addressed_to": letter.addressed_to,
                "parents_of": letter.parents_unit.name if letter.parents_unit else None,
                "citations": len(lines),
            },
        )
    return letter


@transaction.atomic
def letter_update(
    *,
    actor,
    letter: Letter,
    attachments: Iterable = (),
    remove_attachments: Iterable[int] = (),
    **fields: Unpack[LetterFields],
) -> Letter:
    """Change a draft. An issued letter is final, as on paper: a correction is a new letter citing it."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=letter.pk)
    if not can_issue_letter(actor, letter.issuer):
        raise _forbidden(letter.issuer)
    if letter.status != Status.DRAFT:
        raise ValidationError(
            _("%(reference)s has been issued and can no longer be changed; issue a new letter that cites it.")
            % {"reference": letter.reference},
            code="issued",
        )
    removed = list(letter.attachments.filter(pk__in=list(remove_attachments)))
    before = {"reference": letter.reference, "subject": letter.subject}
    kept = letter.attachments.count() - len(removed)
    lines, checked = _checked_draft(letter, actor=actor, fields=fields, attachments=attachments, existing=kept)
    storage = private_storage()
    with files_removed_on_failure(storage) as saved:
        letter.save()
        _save_citations(letter, lines)
        if removed:
            names = [a.file.name for a in removed]
            LetterAttachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
            # A draft's files go with their rows, once the change is committed.
            transaction.on_commit(lambda: [storage.delete(name) for name in names])
        _save_attachments(letter, checked, saved)
        audit_log(
            actor=actor,
            action="letter.update",
            unit=letter.issuer,
            target=letter,
            before=before,
            after={
                "reference": letter.reference,
                "subject": letter.subject,
                "attachments_added": len(checked),
                "attachments_removed": [a.name for a in removed],
                "addressed_to": letter.addressed_to,
                "parents_of": letter.parents_unit.name if letter.parents_unit else None,
                "citations": len(lines),
            },
        )
    return letter


def _notify_recipients(*, letter: Letter, unit_ids, title: str) -> list:
    """Tell those the letter is addressed to in each unit: its heads, and its teachers when it is written
    to them too (students read what is addressed to everyone, but are not called to it)."""
    teachers_too = letter.addressed_to in (Addressees.STAFF, Addressees.EVERYONE)
    return notify(
        recipients=_managers_of(unit_ids, teachers_too=teachers_too).iterator(chunk_size=2000),
        title=title,
        body=letter.subject[:1000],
        url=reverse("letters:detail", args=[letter.pk]),
    )


@transaction.atomic
def letter_issue(*, actor, letter: Letter) -> Letter:
    """Issue a draft: check its number is free for the issuer and year, resolve its recipients into
    rows, notify the people who manage each recipient unit."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=letter.pk)
    if not can_issue_letter(actor, letter.issuer):
        raise _forbidden(letter.issuer)
    if letter.status == Status.ISSUED:
        raise ValidationError(
            _("%(reference)s was already issued on %(when)s.")
            % {"reference": letter.reference, "when": datetime_text(letter.issued_at)},
            code="issued",
        )
    errors: dict = {}
    if letter.number is None:
        errors["number"] = [_("Type the letter's number, as written on the signed letter, before issuing it.")]
    else:
        duplicate = _duplicate_number(letter)
        if duplicate:
            errors["number"] = [duplicate]
    if letter.issued_on > timezone.localdate():
        errors["issued_on"] = [
            _("The letter is dated %(date)s, in the future; it can be issued on that day.")
            % {"date": date_text(letter.issued_on)}
        ]
    if not _plain(letter.body).strip() and not letter.attachments.exists():
        errors[NON_FIELD_ERRORS] = [_("The letter has neither text nor an attached file; add one before issuing.")]
    cite_errors = _cite_errors(actor=actor, letter=letter, cites=list(letter.cites.all()))
    if cite_errors:
        errors["cites"] = cite_errors
    recipients: list[Unit] = []
    try:
        recipients = letter_recipients_resolve(
            issuer=letter.issuer, kinds=(letter.audience or {}).get("kinds", []), units=letter_audience_units(letter)
        )
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    letter.status = Status.ISSUED
    letter.issued_at = now
    letter.year = letter.issued_on.year
    letter.search_text = _search_text(letter)
    try:
        with transaction.atomic():
            letter.save(update_fields=["status", "issued_at", "year", "search_text", "updated_at"])
    except IntegrityError as exc:
        # Another letter took the number between the check above and this save.
        raise ValidationError({"number": [_duplicate_number(letter) or _("This number is already used.")]}) from exc
    LetterRecipient.objects.bulk_create(
        [LetterRecipient(letter=letter, unit_id=unit.pk, added_at=now) for unit in recipients],
        batch_size=RECIPIENT_BATCH_SIZE,
    )
    notes = _notify_recipients(
        letter=letter,
        unit_ids=LetterRecipient.objects.filter(letter=letter).values("unit_id"),
        title=_("Official letter %(reference)s from %(issuer)s: %(subject)s")
        % {"reference": letter.reference, "issuer": letter.issuer.name, "subject": letter.subject},
    )
    audit_log(
        actor=actor,
        action="letter.issue",
        unit=letter.issuer,
        target=letter,
        after={
            "reference": letter.reference,
            "recipients": len(recipients),
            "people_notified": len(notes),
            "audience": letter.audience,
            "addressed_to": letter.addressed_to,
        },
    )
    return letter


@transaction.atomic
def letter_forward(
    *, actor, letter: Letter, from_unit: Unit, kinds: Iterable[str] = (), units: Iterable[Unit] = ()
) -> tuple[int, int]:
    """A Department or Office that received `letter` passes it on to units below itself. Units that
    already have it are skipped. Returns (units added, units skipped)."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=letter.pk)
    if from_unit.pk not in {u.pk for u in forwarding_units(actor, letter)}:
        raise ValidationError(
            _("%(unit)s did not receive this letter, or you do not manage it, so you cannot forward it from there.")
            % {"unit": from_unit.name},
            code="forbidden",
        )
    resolved = letter_recipients_resolve(issuer=from_unit, kinds=kinds, units=units)
    already = set(letter.recipients.filter(unit_id__in=[u.pk for u in resolved]).values_list("unit_id", flat=True))
    new = [u for u in resolved if u.pk not in already and u.pk != letter.issuer_id]
    if not new:
        raise ValidationError(
            _("Every unit you chose has already received this letter; nothing was forwarded."), code="nobody"
        )
    now = timezone.now()
    LetterRecipient.objects.bulk_create(
        [LetterRecipient(letter=letter, unit_id=u.pk, forwarded_by_unit=from_unit, added_at=now) for u in new],
        batch_size=RECIPIENT_BATCH_SIZE,
    )
    notes = _notify_recipients(
        letter=letter,
        unit_ids=[u.pk for u in new],
        title=_("%(unit)s forwards the official letter %(reference)s from %(issuer)s: %(subject)s")
        % {
            "unit": from_unit.name,
            "reference": letter.reference,
            "issuer": letter.issuer.name,
            "subject": letter.subject,
        },
    )
    audit_log(
        actor=actor,
        action="letter.forward",
        unit=from_unit,
        target=letter,
        after={
            "units": len(new),
            "skipped": len(resolved) - len(new),
            "people_notified": len(notes),
            "codes": [u.code for u in new][:50],
        },
    )
    return len(new), len(resolved) - len(new)


def letter_mark_read(*, letter: Letter, user) -> int:
    """Record the first opening of `letter` by a person whose opening is their unit's reading (a head of
    the unit, or a teacher when the letter is addressed to the teachers too; never a student nor the
    issuer's own people), with the role they read it as; later openings change nothing. Returns the
    number of receipts recorded."""
    roles = receipt_roles(user, letter)
    if not roles:
        return 0
    now = timezone.now()
    by_role: dict[str, list[int]] = {}
    for unit_id, role in roles.items():
        by_role.setdefault(role, []).append(unit_id)
    # One conditional UPDATE per role (nearly always one): two people opening at once cannot both be first.
    return sum(
        letter.recipients.filter(unit_id__in=unit_ids, read_at__isnull=True).update(
            read_at=now, read_by=user, read_role=role
        )
        for role, unit_ids in sorted(by_role.items())
    )


@transaction.atomic
def letter_remind(*, actor, letter: Letter) -> dict[str, int]:
    """Notify the managers of the recipient units (those the actor follows) that have not opened the
    letter; at most once every 10 minutes. Returns {"units", "people"}."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=letter.pk)
    rows_q = receipt_rows_q(actor, letter)
    if rows_q is None or letter.status != Status.ISSUED:
        raise ValidationError(_("You cannot send reminders for this letter."), code="forbidden")
    rows = letter.recipients.filter(rows_q)
    now = timezone.now()
    last = rows.aggregate(last=Max("reminded_at"))["last"]
    if last is not None and now - last < REMINDER_INTERVAL:
        raise ValidationError(
            _(
                "A reminder was already sent at %(time)s. Reminders go out at most once every %(minutes)d "
                "minutes; the next one can be sent after %(next)s."
            )
            % {
                "time": datetime_text(last),
                "minutes": REMINDER_INTERVAL.seconds // 60,
                "next": datetime_text(last + REMINDER_INTERVAL),
            },
            code="throttled",
        )
    unread = rows.filter(read_at__isnull=True)
    unit_ids = list(unread.values_list("unit_id", flat=True))
    if not unit_ids:
        raise ValidationError(_("Every unit has opened the letter; there is nobody to remind."), code="nobody")
    notes = _notify_recipients(
        letter=letter,
        unit_ids=unread.values("unit_id"),
        title=_("Reminder: please read the official letter %(reference)s from %(issuer)s: %(subject)s")
        % {"reference": letter.reference, "issuer": letter.issuer.name, "subject": letter.subject},
    )
    unread.update(reminded_at=now)
    audit_log(
        actor=actor,
        action="letter.remind",
        unit=letter.issuer,
        target=letter,
        after={"units": len(unit_ids), "people": len(notes)},
    )
    return {"units": len(unit_ids), "people": len(notes)}
