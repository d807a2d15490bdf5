"""Importing questions: upload → check → preview → confirm → create, through the import engine
(truonghoc.imports; `QuestionImporter` supplies what is the bank's own).

`question_import_validate` parses the file (xlsx template, Moodle XML or GIFT), cleans every question
with question_rules.clean_question, checks all formulas of the file in one KaTeX run, and looks for
duplicates (the same fingerprint twice in the file, or as a question the importer can use or wrote).
It records one row per question with its problems; nothing enters the bank. `question_import_apply`
then creates every new question as the importer's draft in bulk, or none: questions with problems
are skipped only when the importer said so when confirming.
"""

from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, check_size, progress_set
from truonghoc.softdelete import alive_q
from truonghoc.uploads import check_upload, clean_name, image_reencode, sniff
from units.models import Unit
from units.services import audit_log

from ...models import Question, QuestionImport, QuestionImportRow, VersionStatus
from ...permissions import may_make_at
from ...permissions.questions import questions_usable_q
from ..question_rules import IMAGE_MAX_BYTES, clean_question, fingerprint, math_problems_many, search_text
from .common import FIELD_LABELS, Defaults, Entry, ImportFileError
from .gift import parse_gift
from .moodle import parse_moodle
from .xlsx import parse_xlsx

BATCH = 1000
F = QuestionImport.Format
Status = QuestionImport.Status
Action = QuestionImportRow.Action
TEXT_FORMAT_NAMES = {F.MOODLE: "Moodle XML", F.GIFT: "GIFT"}


class QuestionImporter(Importer):
    """The question bank as a user of the import engine (truonghoc.imports): what is its own is
    parsing the three formats, cleaning questions, finding duplicates and creating drafts."""

    model = QuestionImport
    crash_message = gettext_lazy(
        "Something went wrong on our side; no question was created. Please try again or tell us."
    )
    apply_related = ("unit", "created_by")

    def check(self, batch: QuestionImport, content: bytes) -> QuestionImport:
        return _check_questions(batch, content)

    def apply(self, batch: QuestionImport, actor) -> QuestionImport:
        return _create_drafts(batch)


IMPORTER = QuestionImporter()


def parse_file(*, format: str, content: bytes, defaults: Defaults) -> list[Entry]:
    """The entries of a file in the given format; ImportFileError when it cannot be read at all."""
    if format == F.XLSX:
        return parse_xlsx(content)
    if format == F.MOODLE:
        return parse_moodle(content, defaults)
    if format == F.GIFT:
        return parse_gift(content, defaults)
    raise ImportFileError(_("Choose the format of the file."))


# --- upload ------------------------------------------------------------------------------------


def _check_file(format: str, upload) -> None:
    """The file is what the chosen format says, judged by its content; ValidationError otherwise."""
    if format == F.XLSX:
        check_upload(upload, allowed=["xlsx"], max_bytes=settings.IMPORT_MAX_BYTES)
        return
    name = clean_name(getattr(upload, "name", ""))
    if not getattr(upload, "size", 0):
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    check_size(upload)
    actual = sniff(upload)
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if actual is not None or (b"\x00" in head and not utf16):
        raise ValidationError(
            _("%(name)s is not a %(format)s text file (it is a %(actual)s file). Choose the right format.")
            % {"name": name, "format": TEXT_FORMAT_NAMES[format], "actual": (actual or _("binary")).upper()},
            code="wrong_type",
        )


def _check_defaults(format: str, *, subject: str, grade, level) -> None:
    if format == F.XLSX:
        return
    errors = {}
    if not (subject or "").strip():
        errors["subject"] = [_("Moodle XML and GIFT files do not say the subject: give it.")]
    if grade is None:
        errors["grade"] = [_("Moodle XML and GIFT files do not say the grade: give it.")]
    if level is None:
        errors["level"] = [_("Moodle XML and GIFT files do not say the cognitive level: give the usual one.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def question_import_start(
    *, actor, unit: Unit, format: str, upload, subject: str = "", grade=None, topic: str = "", level=None
) -> QuestionImport:
    """Register an uploaded file; the caller runs (or enqueues) the check. Refuses a file that is not
    what its format says, too large, or a unit where the importer may not write questions."""
    if format not in F.values:
        raise ValidationError({"format": [_("Choose the format of the file.")]})
    if not may_make_at(actor, unit):
        raise ValidationError(_("You cannot add questions to %(unit)s.") % {"unit": unit.name})
    _check_defaults(format, subject=subject, grade=grade, level=level)
    _check_file(format, upload)
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{timezone.now():%Y%m%d-%H%M%S}-{actor.pk}.bin",
        unit=unit, created_by=actor, format=format,
        subject=(subject or "").strip()[:100], grade=grade, topic=(topic or "").strip()[:255], level=level,
    )  # fmt: skip
    audit_log(
        actor=actor, action="question.import_upload", unit=unit, target=batch,
        after={"file": batch.original_name, "format": format},
    )  # fmt: skip
    return batch


# --- checking ----------------------------------------------------------------------------------


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{FIELD_LABELS.get(field, field)}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def _jsonable(data: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def _stored_image(entry: Entry, problems: list[str]):
    """The entry's embedded picture re-encoded (nothing but pixels), or None with a problem."""
    if entry.image is None:
        return None
    try:
        return image_reencode(SimpleUploadedFile(entry.image_name or "image", entry.image), max_bytes=IMAGE_MAX_BYTES)
    except ValidationError as exc:
        problems.extend(exc.messages)
        return None


def _bank_duplicates(user, prints: list[str]) -> dict[str, tuple[int, str]]:
    """{fingerprint: (question id, status)} of questions the user can use or wrote that are neither
    deleted nor replaced."""
    found: dict[str, tuple[int, str]] = {}
    mine = Q(alive_q(), author=user) & ~Q(status=VersionStatus.SUPERSEDED)
    for start in range(0, len(prints), 5000):
        chunk = prints[start : start + 5000]
        rows = (
            Question.objects.filter(questions_usable_q(user) | mine, fingerprint__in=chunk)
            .exclude(status=VersionStatus.SUPERSEDED)
            .order_by("pk")
            .values_list("fingerprint", "pk", "status")
        )
        for print_, pk, status in rows:
            found.setdefault(print_, (pk, status))
    return found


def question_import_validate(*, batch: QuestionImport, content: bytes) -> QuestionImport:
    """Check every question of the file and record the result; creates no question."""
    return IMPORTER.validate(batch, content)


def _check_questions(batch: QuestionImport, content: bytes) -> QuestionImport:
    defaults = Defaults(subject=batch.subject, grade=batch.grade, topic=batch.topic, level=batch.level)
    try:
        entries = parse_file(format=batch.format, content=content, defaults=defaults)
    except ImportFileError as exc:
        return batch_finish(batch, status=Status.INVALID, message=str(exc))
    progress_set(batch, 0, len(entries), "check")
    cleaned: list[tuple[Entry, dict | None]] = []
    for n, entry in enumerate(entries, start=1):
        data = None
        if entry.fields is not None:
            try:
                data = clean_question(**entry.fields, check_math=False)
            except ValidationError as exc:
                entry.problems += _messages(exc)
        cleaned.append((entry, data))
        if n % 1000 == 0:
            progress_set(batch, n, len(entries), "check")
    # One KaTeX run for the whole file, not one per question.
    valid = [(entry, data) for entry, data in cleaned if data is not None]
    for (entry, _data), problems in zip(valid, math_problems_many([d for _e, d in valid]), strict=True):
        entry.problems += _messages(ValidationError(problems)) if problems else []
    prints = {
        id(entry): fingerprint(type=data["type"], stem=data["stem"], options=data["options"])
        for entry, data in valid
        if not entry.problems
    }
    in_bank = _bank_duplicates(batch.created_by, sorted(set(prints.values())))
    first_in_file: dict[str, Entry] = {}
    rows = []
    for entry, data in cleaned:
        row = QuestionImportRow(batch=batch, position=entry.position, label=entry.label[:255])
        image = _stored_image(entry, entry.problems) if data is not None else None
        row.data = _jsonable(data) if data is not None else _jsonable(entry.fields or {})
        row.errors = list(entry.problems)
        print_ = prints.get(id(entry))
        if entry.info and not entry.problems:
            row.action, row.errors = Action.INFO, [entry.info]
        elif entry.problems or data is None:
            row.action = Action.ERROR
        elif print_ in in_bank:
            row.action = Action.DUPLICATE
            row.duplicate_of_id = in_bank[print_][0]
            row.duplicate_label = _("question #%(id)d of the bank") % {"id": in_bank[print_][0]}
        elif print_ in first_in_file:
            row.action = Action.DUPLICATE
            row.duplicate_label = first_in_file[print_].label[:255]
        else:
            row.action = Action.CREATE
            first_in_file[print_] = entry
            row.data["fingerprint"] = print_
        if image is not None and row.action == Action.CREATE:
            row.image.save(image.name, image, save=False)
        rows.append(row)
    QuestionImportRow.objects.bulk_create(rows, batch_size=BATCH)
    counts = Counter(r.action for r in rows)
    batch.total_rows = len(rows) - counts[Action.INFO]
    batch.new_rows = counts[Action.CREATE]
    batch.duplicate_rows = counts[Action.DUPLICATE]
    batch.error_rows = counts[Action.ERROR]
    if batch.new_rows:
        return batch_finish(batch, status=Status.READY)
    if batch.error_rows:
        message = _("No question of this file can be imported. Correct the problems listed and upload it again.")
    elif batch.duplicate_rows:
        message = _("Every question of this file is already in the bank: there is nothing to import.")
    else:
        message = _("The file holds no question.")
    return batch_finish(batch, status=Status.INVALID, message=message)


# --- confirming and creating -------------------------------------------------------------------


def question_import_confirm(*, actor, batch: QuestionImport, skip_problems: bool = False) -> QuestionImport:
    if batch.created_by_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the person who uploaded this file may import it."))

    def refuse(batch: QuestionImport) -> None:
        if batch.error_rows and not skip_problems:
            raise ValidationError(
                _(
                    "%(problems)d questions have problems, so nothing was imported. Correct the file and upload it "
                    "again, or tick “import the %(valid)d valid questions and skip the %(problems)d with problems”."
                )
                % {"problems": batch.error_rows, "valid": batch.new_rows}
            )
        batch.skip_problems = bool(batch.error_rows and skip_problems)

    return IMPORTER.confirm(batch, refuse=refuse, fields=("skip_problems",))


def _question_from(row: QuestionImportRow, batch: QuestionImport, now) -> Question:
    data = dict(row.data)
    print_ = data.pop("fingerprint")
    for name in ("numeric_answer", "tolerance"):
        if data.get(name) is not None:
            data[name] = Decimal(data[name])
    data["tolerance"] = data.get("tolerance") or Decimal(0)
    return Question(
        **data,
        image=row.image.name if row.image else "",
        author_id=batch.created_by_id,
        unit_id=batch.unit_id,
        status=VersionStatus.DRAFT,
        source=batch.format,
        fingerprint=print_,
        search_text=search_text(data),
        created_at=now,
    )


def question_import_apply(*, batch: QuestionImport) -> QuestionImport:
    """Create every new question of a confirmed file as the importer's draft, or none (the engine's
    apply step)."""
    return IMPORTER.run_apply(batch)


def _create_drafts(batch: QuestionImport) -> QuestionImport:
    """What may have changed since the preview (the same file imported in another tab, a role taken
    away) is checked again inside the transaction."""
    actor = batch.created_by
    if not may_make_at(actor, batch.unit):
        raise ImportRefused(
            _("Nothing was imported: you can no longer add questions to %(unit)s.") % {"unit": batch.unit.name}
        )
    rows = list(batch.rows.filter(action=Action.CREATE).order_by("position"))
    # Questions that reached the bank since the check (the same file confirmed twice): duplicates now.
    now_there = _bank_duplicates(actor, sorted({r.data["fingerprint"] for r in rows}))
    arrived = [r for r in rows if r.data["fingerprint"] in now_there]
    for row in arrived:
        row.action = Action.DUPLICATE
        row.duplicate_of_id = now_there[row.data["fingerprint"]][0]
        row.duplicate_label = _("question #%(id)d of the bank") % {"id": row.duplicate_of_id}
    QuestionImportRow.objects.bulk_update(arrived, ["action", "duplicate_of", "duplicate_label"], batch_size=BATCH)
    rows = [r for r in rows if r.action == Action.CREATE]
    now = timezone.now()
    created: list[Question] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        created += Question.objects.bulk_create([_question_from(r, batch, now) for r in chunk], batch_size=BATCH)
        progress_set(batch, min(start + BATCH, len(rows)), len(rows), "create")
    for row, question in zip(rows, created, strict=True):
        row.question = question
    QuestionImportRow.objects.bulk_update(rows, ["question"], batch_size=BATCH)
    batch.created_rows = len(created)
    batch.new_rows = len(rows)
    batch.duplicate_rows += len(arrived)
    audit_log(
        actor=actor, action="question.import", unit=batch.unit, target=batch,
        after={"file": batch.original_name, "format": batch.format, "created": len(created),
               "duplicates": batch.duplicate_rows, "skipped_with_problems": batch.error_rows},
    )  # fmt: skip
    message = ""
    if not created:
        message = _("Every question of this file reached the bank since it was checked: nothing was imported.")
    return batch_finish(batch, status=Status.DONE, message=message)


def question_import_run(*, batch: QuestionImport) -> QuestionImport:
    """Check a registered file (what the Celery task calls): the kept file is read, and only a batch
    waiting for its check is checked."""
    return IMPORTER.validate(batch)


__all__ = [
    "IMPORTER",
    "parse_file",
    "question_import_apply",
    "question_import_confirm",
    "question_import_run",
    "question_import_start",
    "question_import_validate",
]
