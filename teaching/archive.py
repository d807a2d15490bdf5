"""The records archive (issue #17, point 5): one zip per school, group or teacher and closed school year,
with an index (index.html and index.xlsx listing every file of the zip), the directives, each plan as
xlsx and PDF, the online share and the online lessons with their evidence as xlsx.

`archive_request` checks and queues; the Celery task `tasks.archive_build_task` calls `archive_build`,
which writes the zip entry by entry into a temporary file (never the whole archive in memory) and
saves it to private storage. `archives_purge` removes the files past their retention date
(`records.RETENTION_YEARS`), keeping the rows.
"""

import logging
import tempfile
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gradebook.printing import A4_PORTRAIT, pdf_bytes
from truonghoc.enqueue import enqueue
from truonghoc.formatting import date_text, datetime_text, percent
from truonghoc.storage import private_storage
from truonghoc.xlsx import xlsx_bytes
from units.models import Unit
from units.services import audit_log

from .exports import plan_xlsx
from .models import RecordArchive
from .permissions import can_view_record
from .records import Record, record_of, retention_date
from .selectors import plan_lessons
from .services import plan_totals, school_year_dates, year_is_closed

log = logging.getLogger(__name__)

PLAN_PDF = "teaching/print/plan.html"
INDEX_HTML = "teaching/print/index.html"


def archive_filename(record: Record) -> str:
    owner = slugify(record.owner_name) or record.scope
    return f"ho-so-day-hoc-truc-tuyen-{owner}-{record.school_year}.zip"


# --- asking for an archive ------------------------------------------------------------------------


@transaction.atomic
def archive_request(*, actor, school: Unit, school_year: str, group: Unit | None = None, teacher=None) -> RecordArchive:
    """Queue the archive of a record. Refused, nothing made: someone who may not see the record, and a
    school year still open (the records are archived once the year has closed)."""
    if not can_view_record(actor, school=school, group=group, teacher=teacher):
        raise PermissionDenied(_("You cannot see this record."))
    dates = school_year_dates(school, school_year)
    if not year_is_closed(school, school_year):
        raise ValidationError(
            _(
                "The school year %(year)s is still open (it ends on %(end)s): its records can be archived "
                "once it has closed. Nothing was made."
            )
            % {"year": school_year, "end": date_text(dates.end)},
            code="year_open",
        )
    archive = RecordArchive(
        school=school,
        group=group,
        teacher=teacher,
        school_year=school_year,
        retain_until=retention_date(dates.end),
        created_by=actor,
    )
    archive.full_clean()
    archive.save()
    audit_log(
        actor=actor,
        action="teaching.records_archive",
        unit=group or school,
        target=archive,
        after={"year": school_year, "teacher": getattr(teacher, "pk", None), "kept_until": str(archive.retain_until)},
    )
    from .tasks import archive_build_task

    transaction.on_commit(lambda: enqueue(archive_build_task, args=[archive.pk]))
    return archive


# --- building it ----------------------------------------------------------------------------------


@dataclass
class Entry:
    name: str
    description: str


def _directives_xlsx(record: Record) -> bytes:
    header = [_("No."), _("Reference"), _("Date"), _("Issued by"), _("Subject")]
    rows = [
        [n, letter.reference, date_text(letter.issued_on), letter.issuer.name, letter.subject]
        for n, letter in enumerate(record.directives, start=1)
    ]
    title = _("Directives on online teaching received by %(school)s, school year %(year)s") % {
        "school": record.school.name,
        "year": record.school_year,
    }
    return xlsx_bytes(title=title, header=header, rows=rows, sheet_name=_("Directives"))


def _share_xlsx(record: Record) -> bytes:
    header = [
        _("Subject and grade"),
        _("Programme periods"),
        _("Online periods planned"),
        _("Online periods taught"),
        _("Planned share"),
        _("Taught share"),
    ]
    rows = [
        [row.label, row.programme, row.planned, row.taught, percent(row.planned_percent), percent(row.taught_percent)]
        for row in [*record.rows, record.share]
    ]
    title = _("Online teaching share · %(owner)s · school year %(year)s") % {
        "owner": record.owner_name,
        "year": record.school_year,
    }
    return xlsx_bytes(title=title, header=header, rows=rows, sheet_name=_("Share"))


def _lessons_xlsx(record: Record) -> bytes:
    header = [
        _("No."),
        _("Plan"),
        _("Week"),
        _("Lesson or topic"),
        _("Periods"),
        _("Mode"),
        _("Taught"),
        _("Link"),
        _("Materials"),
        _("Attendance"),
        _("Submissions"),
        _("Assessed"),
    ]
    rows = []
    for n, row in enumerate(record.lessons, start=1):
        attendance = f"{row.attendance[0]}/{row.attendance[1]}" if row.attendance else ""
        rows.append(
            [
                n,
                str(row.plan),
                row.lesson.week,
                row.lesson.title,
                row.lesson.periods,
                row.lesson.get_mode_display(),
                _("yes") if row.taught else _("no"),
                row.evidence,
                ", ".join(row.materials),
                attendance,
                row.submissions,
                row.assessed,
            ]
        )
    title = _("Online lessons and their evidence · %(owner)s · school year %(year)s") % {
        "owner": record.owner_name,
        "year": record.school_year,
    }
    return xlsx_bytes(title=title, header=header, rows=rows, sheet_name=_("Lessons"))


def _index_xlsx(record: Record, entries: list[Entry]) -> bytes:
    title = _("Online teaching records · %(owner)s · school year %(year)s · kept until %(until)s") % {
        "owner": record.owner_name,
        "year": record.school_year,
        "until": date_text(record.retain_until),
    }
    rows = [[n, entry.name, entry.description] for n, entry in enumerate(entries, start=1)]
    return xlsx_bytes(title=title, header=[_("No."), _("File"), _("Content")], rows=rows, sheet_name=_("Index"))


def _plan_pdf(record: Record, plan) -> bytes:
    context = {
        "plan": plan,
        "lessons": plan_lessons(plan=plan),
        "totals": plan_totals(plan),
        "trail": record.trails.get(plan.pk, []),
        "school": record.school,
    }
    return pdf_bytes(PLAN_PDF, context, page=A4_PORTRAIT)


def _progress(archive: RecordArchive, done: int, total: int) -> None:
    archive.progress = min(99, int(100 * done / max(total, 1)))
    RecordArchive.objects.filter(pk=archive.pk).update(progress=archive.progress)


def archive_write(record: Record, handle, *, on_file=None) -> list[Entry]:
    """Write the record's zip into the open binary file `handle`, entry by entry; returns the index's
    entries (every file of the zip, the two index files included)."""
    plans = record.plans
    entries = [
        Entry("index.html", _("This index")),
        Entry("index.xlsx", _("This index, as a spreadsheet")),
        Entry(
            "van-ban-chi-dao.xlsx", _("Directives on online teaching received (%(n)s)") % {"n": len(record.directives)}
        ),
        Entry("ti-le-truc-tuyen.xlsx", _("Online teaching share, planned and taught")),
        Entry("bai-day-truc-tuyen.xlsx", _("Online lessons with their evidence (%(n)s)") % {"n": len(record.lessons)}),
    ]
    plan_names = []
    for n, plan in enumerate(plans, start=1):
        stem = f"ke-hoach/{n:03d}-{slugify(plan.subject) or 'mon'}-lop-{plan.grade}-{plan.level}"
        plan_names.append(stem)
        label = f"{plan} · {plan.get_status_display()}"
        entries.append(Entry(f"{stem}.xlsx", label))
        entries.append(Entry(f"{stem}.pdf", _("%(plan)s, printed with its approval trail") % {"plan": label}))
    total = 4 + 2 * len(plans)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        context = {"record": record, "entries": entries, "made_at": datetime_text(timezone.now())}
        archive.writestr("index.html", render_to_string(INDEX_HTML, context))
        archive.writestr("index.xlsx", _index_xlsx(record, entries))
        archive.writestr("van-ban-chi-dao.xlsx", _directives_xlsx(record))
        archive.writestr("ti-le-truc-tuyen.xlsx", _share_xlsx(record))
        archive.writestr("bai-day-truc-tuyen.xlsx", _lessons_xlsx(record))
        if on_file:
            on_file(4, total)
        for n, (plan, stem) in enumerate(zip(plans, plan_names, strict=True), start=1):
            archive.writestr(f"{stem}.xlsx", plan_xlsx(plan))
            archive.writestr(f"{stem}.pdf", _plan_pdf(record, plan))
            if on_file:
                on_file(4 + 2 * n, total)
    return entries


def archive_build(archive_id: int) -> RecordArchive:
    """Build a queued archive (idempotent: a ready one is left as it is). A failure is recorded on the row."""
    archive = RecordArchive.objects.select_related("school", "group", "teacher").get(pk=archive_id)
    if archive.status not in (RecordArchive.Status.QUEUED, RecordArchive.Status.BUILDING, RecordArchive.Status.FAILED):
        return archive
    RecordArchive.objects.filter(pk=archive.pk).update(status=RecordArchive.Status.BUILDING, progress=0, error="")
    try:
        with translation.override("vi"), tempfile.TemporaryFile() as handle:
            record = record_of(
                school=archive.school, school_year=archive.school_year, group=archive.group, teacher=archive.teacher
            )
            entries = archive_write(record, handle, on_file=lambda done, total: _progress(archive, done, total))
            size = handle.tell()
            handle.seek(0)
            old = archive.file.name
            archive.file.save(archive_filename(record), File(handle), save=False)
            if old:
                private_storage().delete(old)
        archive.status = RecordArchive.Status.READY
        archive.size = size
        archive.file_count = len(entries)
        archive.progress = 100
        archive.finished_at = timezone.now()
        archive.save(update_fields=["status", "file", "size", "file_count", "progress", "finished_at"])
    except Exception as exc:
        log.exception("The records archive %s could not be built", archive.pk)
        archive.status = RecordArchive.Status.FAILED
        archive.error = str(exc)[:2000]
        archive.finished_at = timezone.now()
        archive.save(update_fields=["status", "error", "finished_at"])
    return archive


# --- purging --------------------------------------------------------------------------------------


def archives_to_purge(*, today=None):
    today = today or timezone.localdate()
    return RecordArchive.objects.filter(retain_until__lt=today).exclude(status=RecordArchive.Status.PURGED)


@transaction.atomic
def archive_purge(*, archive: RecordArchive, actor=None) -> RecordArchive:
    """Remove the file of an archive past its retention date; the row stays, marked purged, and audited."""
    archive = RecordArchive.objects.select_for_update().get(pk=archive.pk)
    if archive.retain_until >= timezone.localdate():
        raise ValidationError(
            _("This archive is kept until %(date)s; it cannot be purged before.")
            % {"date": date_text(archive.retain_until)}
        )
    name = archive.file.name
    archive.status = RecordArchive.Status.PURGED
    archive.purged_at = timezone.now()
    archive.file = ""
    archive.save(update_fields=["status", "purged_at", "file"])
    audit_log(
        actor=actor,
        action="teaching.records_purge",
        unit=archive.school,
        target=archive,
        after={"year": archive.school_year, "kept_until": str(archive.retain_until), "file": name},
    )
    if name:
        transaction.on_commit(lambda: private_storage().delete(name))
    return archive
