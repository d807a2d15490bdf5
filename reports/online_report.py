"""The twice-yearly report of a school's online teaching (issue #17, point 8: "mỗi năm hai lần"): the
results of a semester, generated from the data — never typed — and sent as the school's answer to a
report request of its Office or Department (publications' report requests and submissions).

The figures are teaching's: `teaching.selectors.online_share(unit=school, school_year=…, as_of=…)` read
at the end of the semester (planned: the approved plans of the year; taught: the online periods taught by
the semester's last day), the online lessons held by then (`online_lessons_of`, the same rule of
"taught") and the plans approved. So the report says exactly what the share page and
`manage.py online_share` said at that date.

The report goes out as two versions of the school's submission, the xlsx then the PDF (a submission is
one file): the issuer's table shows the PDF as the newest, and both stay in the versions list.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gradebook.printing import A4_PORTRAIT, pdf_bytes
from publications.models import ReportRecipient, ReportSubmission
from publications.permissions import can_submit_report
from publications.services.requests import report_submission_create
from teaching.selectors import (
    ONLINE_TARGET,
    SchoolShare,
    SubjectShare,
    approved_plans_count,
    online_lessons_of,
    online_share,
)
from truonghoc.formatting import date_text, percent
from truonghoc.xlsx import xlsx_bytes
from units.models import Unit
from units.selectors import school_year_labelled

PDF_TEMPLATE = "reports/print/online_report.html"


@dataclass
class ReportRow:
    share: SubjectShare
    lessons: int = 0
    held: int = 0


@dataclass
class OnlineReport:
    school: Unit
    school_year: str
    semester: int
    start: date
    end: date
    share: SchoolShare
    rows: list[ReportRow] = field(default_factory=list)
    plans_approved: int = 0

    @property
    def lessons(self) -> int:
        return sum(row.lessons for row in self.rows)

    @property
    def held(self) -> int:
        return sum(row.held for row in self.rows)

    @property
    def title(self) -> str:
        return _("Online teaching results, semester %(semester)s of school year %(year)s · %(school)s") % {
            "semester": self.semester,
            "year": self.school_year,
            "school": self.school.name,
        }

    @property
    def filename_stem(self) -> str:
        return f"bao-cao-day-hoc-truc-tuyen-hk{self.semester}-{self.school_year}-{slugify(self.school.code or '')}"


def semester_dates(school: Unit, school_year: str, semester: int) -> tuple[date, date]:
    return school_year_labelled(int(school_year[:4]), school).semesters[semester - 1]


def online_report(*, school: Unit, school_year: str, semester: int, today: date | None = None) -> OnlineReport:
    """The semester's report of `school`. Refused (ValidationError, nothing made): a unit that is not a
    school, a semester other than 1 or 2, a semester that has not ended yet."""
    if not school.is_school:
        raise ValidationError(_("Only a school reports its online teaching."), code="not_school")
    if semester not in (1, 2):
        raise ValidationError(_("Choose semester 1 or 2."), code="semester")
    start, end = semester_dates(school, school_year, semester)
    today = today or timezone.localdate()
    if today <= end:
        raise ValidationError(
            _(
                "Semester %(semester)s of %(year)s has not ended yet (it ends on %(end)s): its online "
                "teaching results can be reported from the day after."
            )
            % {"semester": semester, "year": school_year, "end": date_text(end)},
            code="semester_open",
        )
    as_of = timezone.make_aware(datetime.combine(end, time.max))
    share = online_share(unit=school, school_year=school_year, as_of=as_of).schools[0]
    plan_ids = [row.plan_id for row in share.rows if row.plan_id]
    lessons = online_lessons_of(plans=plan_ids, school=school, school_year=school_year, as_of=as_of)
    rows = [ReportRow(row, *lessons.get(row.plan_id, (0, 0))) for row in share.rows]
    return OnlineReport(
        school=school,
        school_year=school_year,
        semester=semester,
        start=start,
        end=end,
        share=share,
        rows=rows,
        plans_approved=approved_plans_count(school=school, school_year=school_year),
    )


def online_report_xlsx(report: OnlineReport) -> bytes:
    header = [
        _("Subject"),
        _("Grade"),
        _("Programme periods"),
        _("Online periods planned"),
        _("Planned share"),
        _("Online periods taught"),
        _("Taught share"),
        _("Online lessons"),
        _("Lessons held"),
    ]
    body = [
        [
            row.share.subject,
            row.share.grade,
            row.share.programme,
            row.share.planned,
            percent(row.share.planned_percent),
            row.share.taught,
            percent(row.share.taught_percent),
            row.lessons,
            row.held,
        ]
        for row in report.rows
    ]
    total = report.share.total
    body.append(
        [
            _("Whole school"),
            "",
            total.programme,
            total.planned,
            percent(total.planned_percent),
            total.taught,
            percent(total.taught_percent),
            report.lessons,
            report.held,
        ]
    )
    body.append([_("Plans approved"), "", report.plans_approved])
    body.append([_("Semester"), "", f"{date_text(report.start)} – {date_text(report.end)}"])
    return xlsx_bytes(title=report.title, header=header, rows=body, sheet_name=_("Online teaching"))


def online_report_pdf(report: OnlineReport) -> bytes:
    return pdf_bytes(PDF_TEMPLATE, {"report": report, "target": ONLINE_TARGET}, page=A4_PORTRAIT)


@transaction.atomic
def online_report_submit(
    *, actor, recipient: ReportRecipient, school_year: str, semester: int
) -> list[ReportSubmission]:
    """Generate the school's semester report and send it as its answer to `recipient`'s request: the
    xlsx, then the PDF, as two versions. All or nothing: a refusal (someone who does not manage the
    school, a semester not ended, the request's own rules) sends neither."""
    recipient = ReportRecipient.objects.select_related("unit", "request__issuer").get(pk=recipient.pk)
    if not can_submit_report(actor, recipient):
        raise ValidationError(
            _("You do not manage %(unit)s, so you cannot submit its report.") % {"unit": recipient.unit.name},
            code="forbidden",
        )
    report = online_report(school=recipient.unit, school_year=school_year, semester=semester)
    note = _("Generated from the teaching plans and lessons on %(date)s; the same figures as the online share.") % {
        "date": date_text(timezone.localdate())
    }
    # Both files are made before anything is sent, so a failure while printing sends nothing.
    files = ((online_report_xlsx(report), "xlsx"), (online_report_pdf(report), "pdf"))
    made = []
    for content, extension in files:
        upload = ContentFile(bytes(content), name=f"{report.filename_stem}.{extension}")
        made.append(report_submission_create(actor=actor, recipient=recipient, upload=upload, note=note))
    return made
