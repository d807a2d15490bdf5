"""A teaching plan from xlsx (issue #17, point 1), in the layout `exports.plan_xlsx` writes and schools print:
a title line, the header STT, Tuần, Bài học hoặc chủ đề, Số tiết, Chế độ (or Hình thức), Liên kết, one row
per lesson, then the totals (skipped). Export then import gives the same lessons.

Through the import engine (truonghoc.imports, `PlanImporter`): the check reads every row and refuses, with
its line, a week outside 1–52, periods that are not a whole number from 1 to 200, an unknown mode, an
empty or formula-like title, a link that is not an http(s) URL (javascript: included) or that is not one of
the school's live sessions (live rows) or sections (LMS rows, written "Course · Section" as the export
does); then the whole file is refused when its periods do not add up to the programme's
(`services.periods_problem`, naming both numbers). Confirming writes the lessons in one transaction into a
draft plan: the batch's `plan` (a draft or refused plan the user may edit: its lessons are replaced) or a
new plan created then (`services.plan_create`). Anything refused at that moment refuses the whole file.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import LiveSession, Section
from truonghoc.formatting import number
from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, refused_summary
from truonghoc.softdelete import alive_q
from truonghoc.spreadsheets import SpreadsheetError, read_table
from truonghoc.text import fold, formula_or_bidi_problem, nfc
from units.models import Unit, in_subtree_q
from units.services import audit_log

from . import services
from .models import MAX_WEEK, LessonMode, PlanImport, PlanImportRow, PlanLevel, TeachingPlan
from .permissions import can_create_plan, can_edit_plan

A = PlanImportRow.Action
MAX_LINES = 2000
MAX_PERIODS = 200
HEADERS = {
    "stt": "no", "no.": "no", "no": "no", "so": "no",
    "tuan": "week", "week": "week",
    "bai hoc hoac chu de": "title", "bai hoc": "title", "chu de": "title", "ten bai hoc": "title",
    "lesson or topic": "title", "lesson": "title",
    "so tiet": "periods", "periods": "periods", "tiet": "periods",
    "che do": "mode", "hinh thuc": "mode", "hinh thuc day hoc": "mode", "mode": "mode",
    "lien ket": "link", "link": "link", "duong link": "link",
}  # fmt: skip
REQUIRED = ("week", "title", "periods")
# Short forms schools write besides the labels of LessonMode (read in Vietnamese and English).
MODE_ALIASES = {
    "direct": LessonMode.DIRECT, "truc tiep": LessonMode.DIRECT, "tren lop": LessonMode.DIRECT,
    "live": LessonMode.LIVE, "dong bo": LessonMode.LIVE, "truc tuyen dong bo": LessonMode.LIVE,
    "lms": LessonMode.LMS, "khong dong bo": LessonMode.LMS, "truc tuyen khong dong bo": LessonMode.LMS,
}  # fmt: skip
URL = URLValidator(schemes=["http", "https"])


def _modes() -> dict[str, str]:
    modes = dict(MODE_ALIASES)
    for language in ("vi", "en"):
        with translation.override(language):
            for value, label in LessonMode.choices:
                # "Trực tuyến trên LMS (không đồng bộ)" is written with or without its explanation.
                modes[fold(str(label)).strip()] = modes[fold(str(label)).split("(")[0].strip()] = value
    return modes


def _totals_labels() -> set[str]:
    labels = set()
    for language in ("vi", "en"):
        with translation.override(language):
            labels |= {fold(_("Total periods")), fold(_("Online periods")), fold(_("Programme periods"))}
    return labels


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _whole(value, *, low: int, high: int) -> int | None:
    """A whole number from low to high (an xlsx number, or text like "4" or "4.0"), else None."""
    if isinstance(value, bool):
        return None
    try:
        figure = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not figure.is_finite() or figure != figure.to_integral_value() or not low <= figure <= high:
        return None
    return int(figure)


def _is_header(cells: list[str]) -> bool:
    names = {HEADERS.get(fold(c)) for c in cells}
    return all(name in names for name in REQUIRED)


def _read_lines(content: bytes) -> list[tuple[int, dict]]:
    """The lesson lines as {column: cell}; the totals at the end and blank lines are skipped."""
    header, rows = read_table(content, is_header=_is_header, max_lines=MAX_LINES)
    columns = {}
    for n, name in enumerate(header):
        key = HEADERS.get(fold(name))
        if key and key not in columns:
            columns[key] = n
    totals = _totals_labels()
    lines = []
    for line, cells in rows:
        cells = list(cells) + [None] * len(header)
        values = {name: cells[n] for name, n in columns.items()}
        if not any(_text(v) for v in values.values()):
            continue
        if not _text(values.get("no")) and not _text(values.get("week")) and fold(_text(values["title"])) in totals:
            continue
        lines.append((line, values))
    if not lines:
        raise SpreadsheetError(_("The file has a header but no lesson line."))
    return lines


def _link_problem(text: str) -> str | None:
    try:
        URL(text)
    except ValidationError:
        return _("The link %(link)s is not a web address (http:// or https://).") % {"link": text[:80]}
    return None


def _check_line(values: dict, ctx: dict) -> tuple[dict, list[str]]:
    """One lesson line's data {title, week, periods, mode, link, live_session_id, section_id} and its problems."""
    title, link = _text(values.get("title")), _text(values.get("link"))
    mode_text = _text(values.get("mode"))
    data = {
        "no": _text(values.get("no")), "title": title, "week": _text(values.get("week")),
        "periods": _text(values.get("periods")), "mode_text": mode_text, "link": link,
    }  # fmt: skip
    errors = []
    if not title:
        errors.append(_("Give the lesson or topic a title."))
    elif len(title) > 255:
        errors.append(_("The title is longer than 255 characters."))
    elif problem := formula_or_bidi_problem(title):
        errors.append(str(problem))
    week = _whole(values.get("week"), low=1, high=MAX_WEEK)
    if week is None:
        errors.append(
            _("The week %(value)s is not a number from 1 to %(max)s.") % {"value": data["week"] or "?", "max": MAX_WEEK}
        )
    periods = _whole(values.get("periods"), low=1, high=MAX_PERIODS)
    if periods is None:
        errors.append(
            _("The periods %(value)s are not a whole number from 1 to %(max)s.")
            % {"value": data["periods"] or "?", "max": MAX_PERIODS}
        )
    mode = ctx["modes"].get(fold(mode_text)) if mode_text else LessonMode.DIRECT
    if mode is None:
        errors.append(
            _("Unknown mode %(mode)s: write in class, online live or online on the LMS.") % {"mode": mode_text}
        )
    data.update(week=week, periods=periods, mode=mode, live_session_id=None, section_id=None)
    if link and mode is not None:
        looks_like_address = "://" in link or fold(link).replace(" ", "").startswith(("javascript:", "data:"))
        if mode == LessonMode.DIRECT:
            errors.append(_("Only an online lesson has a link; this one is in class."))
        elif mode == LessonMode.LIVE:
            problem = _link_problem(link)
            if problem:
                errors.append(problem)
            elif not ctx["sessions"].get(link):
                errors.append(
                    _("No live session of this school's courses has the link %(link)s: create the session first, "
                      "or leave the link empty.") % {"link": link[:80]}
                )  # fmt: skip
            else:
                data["live_session_id"] = ctx["sessions"][link]
        elif looks_like_address:
            errors.append(
                _link_problem(link)
                or _("An LMS lesson names its course and section as the export writes them: “Course · Section”.")
            )
        elif fold(link) not in ctx["sections"]:
            errors.append(_("No section of this school's courses is called %(link)s.") % {"link": link[:80]})
        else:
            data["section_id"] = ctx["sections"][fold(link)]
    return data, errors


def _context(batch: PlanImport) -> dict:
    """What the rows are checked against: the school's live sessions by link (the plan's own first, so an
    exported plan comes back linked to the same sessions; else the latest) and its sections by name."""
    in_school = in_subtree_q(batch.school, "course__unit")
    sessions: dict[str, int] = {}
    for pk, url in (
        LiveSession.objects.alive()
        .filter(alive_q("course__"), in_school)
        .order_by("starts_at", "pk")
        .values_list("pk", "url")
    ):
        sessions[url] = pk
    if batch.plan_id:
        for pk, url in batch.plan.lessons.filter(live_session__isnull=False).values_list(
            "live_session_id", "live_session__url"
        ):
            sessions[url] = pk
    sections = {
        fold(f"{course} · {title}"): pk
        for pk, course, title in Section.objects.alive()
        .filter(alive_q("course__"), in_school)
        .order_by("-pk")
        .values_list("pk", "course__title", "title")
    }
    return {"modes": _modes(), "sessions": sessions, "sections": sections}


def _may_import(actor, batch: PlanImport) -> str | None:
    """Why `actor` may not write this batch's plan now, or None."""
    if actor is None:
        return _("You cannot write this plan.")
    if batch.plan_id:
        plan = batch.plan
        if not plan.is_editable:
            return _("This plan is waiting for approval or approved: it can no longer be changed.")
        if not can_edit_plan(actor, plan):
            return _("You cannot change this plan.")
        return None
    if not can_create_plan(actor, school=batch.school, level=batch.level, group=batch.group):
        return _("You cannot write a plan at this level for this school or group.")
    return None


def _stub(batch: PlanImport) -> TeachingPlan:
    return batch.plan or TeachingPlan(
        school=batch.school, school_year=batch.school_year, subject=batch.subject, grade=batch.grade
    )


def _check_plan(batch: PlanImport, content: bytes) -> PlanImport:
    """Check every line (writes nothing but the batch's rows), then the periods against the programme."""
    refusal = _may_import(batch.created_by, batch)
    if refusal:
        return batch_finish(batch, status=PlanImport.Status.INVALID, message=refusal)
    try:
        lines = _read_lines(content)
    except SpreadsheetError as error:
        return batch_finish(batch, status=PlanImport.Status.INVALID, message=str(error))
    ctx = _context(batch)
    rows = []
    for line, values in lines:
        data, errors = _check_line(values, ctx)
        rows.append(
            PlanImportRow(batch=batch, line=line, data=data, errors=errors, action=A.ERROR if errors else A.LESSON)
        )
    PlanImportRow.objects.bulk_create(rows)
    good = [r.data for r in rows if r.action == A.LESSON]
    batch.total_rows, batch.error_rows, batch.new_rows = len(rows), len(rows) - len(good), len(good)
    batch.periods = sum(d["periods"] for d in good)
    batch.online_periods = sum(d["periods"] for d in good if d["mode"] != LessonMode.DIRECT)
    if batch.error_rows:
        return batch_finish(batch, status=PlanImport.Status.INVALID)
    programme = services.programme_periods(school_year=batch.school_year, grade=batch.grade, subject=batch.subject)
    problem = services.periods_problem(
        _stub(batch), {"planned": batch.periods, "online": batch.online_periods, "programme": programme}
    )
    if problem:
        return batch_finish(batch, status=PlanImport.Status.INVALID, message=problem)
    return batch_finish(batch, status=PlanImport.Status.READY)


def _apply_plan(batch: PlanImport, actor) -> PlanImport:
    """Create the plan (a new one) and replace its lessons with the checked rows, all or nothing."""
    rows = [row.data for row in batch.rows.filter(action=A.LESSON).order_by("line")]
    try:
        plan = batch.plan
        if plan is None:
            plan = services.plan_create(
                actor=actor, school=batch.school, level=batch.level, subject=batch.subject, grade=batch.grade,
                group=batch.group, school_year=batch.school_year,
            )  # fmt: skip
        plan = services.plan_lessons_replace(actor=actor, plan=plan, rows=rows)
        problem = services.periods_problem(plan)
        if problem:
            raise ValidationError(problem)
    except PermissionDenied as error:
        raise ImportRefused(_("Nothing was written: %(problem)s") % {"problem": str(error)}) from error
    except ValidationError as error:
        raise ImportRefused(_("Nothing was written: %(problem)s") % {"problem": " ".join(error.messages)}) from error
    batch.plan = plan
    batch.save(update_fields=["plan"])
    audit_log(
        actor=actor, action="teaching.plan_import", unit=plan.unit, target=plan,
        after={"file": batch.original_name, "rows": len(rows), "periods": batch.periods},
    )  # fmt: skip
    return batch_finish(batch, status=PlanImport.Status.DONE)


class PlanImporter(Importer):
    """Teaching plans as a user of the import engine."""

    model = PlanImport
    crash_message = gettext_lazy("Something went wrong on our side; nothing was written. Please try again or tell us.")
    apply_related = ("school",)

    def check(self, batch: PlanImport, content: bytes) -> PlanImport:
        return _check_plan(batch, content)

    def apply(self, batch: PlanImport, actor) -> PlanImport:
        return _apply_plan(batch, actor)


IMPORTER = PlanImporter()


@transaction.atomic
def plan_import_start(
    *,
    actor,
    upload,
    plan: TeachingPlan | None = None,
    school: Unit | None = None,
    level: str = "",
    subject: str = "",
    grade: int = 0,
    group: Unit | None = None,
    school_year: str = "",
) -> PlanImport:
    """Register a plan file: into `plan` (a draft or refused plan `actor` may edit: its lessons will be
    replaced), or for a new plan of `school` at `level` for `subject` and `grade`. Audited; the check runs next."""
    if plan is not None:
        group = plan.unit if plan.level != PlanLevel.SCHOOL else None
        fields = {
            "plan": plan, "school": plan.school, "level": plan.level, "group": group, "subject": plan.subject,
            "grade": plan.grade, "school_year": plan.school_year,
        }  # fmt: skip
    else:
        if level == PlanLevel.SCHOOL:
            group = None
        school_year = school_year or services.current_school_year(school)
        if services.programme_periods(school_year=school_year, grade=grade, subject=subject) is None:
            raise ValidationError(
                _("%(subject)s is not in the programme for grade %(grade)s.") % {"subject": subject, "grade": grade}
            )
        fields = {
            "school": school, "level": level, "group": group, "subject": subject, "grade": grade,
            "school_year": school_year,
        }  # fmt: skip
    refusal = _may_import(actor, PlanImport(**fields))
    if refusal:
        raise PermissionDenied(refusal)
    stamp = f"{timezone.now():%Y%m%d-%H%M%S}"
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{fields['school'].code}-ke-hoach-{slugify(fields['subject'])}-{stamp}.bin",
        created_by=actor, **fields,
    )  # fmt: skip
    audit_log(
        actor=actor, action="teaching.plan_import_upload", unit=fields["school"], target=batch,
        after={"file": batch.original_name, "plan": plan.pk if plan else None},
    )  # fmt: skip
    return batch


def plan_import_validate(*, batch: PlanImport, content: bytes | None = None) -> PlanImport:
    return IMPORTER.validate(batch, content)


def plan_import_confirm(*, actor, batch: PlanImport) -> PlanImport:
    refusal = _may_import(actor, batch)
    if refusal:
        raise PermissionDenied(refusal)
    return IMPORTER.confirm(batch)


def plan_import_apply(*, actor, batch: PlanImport) -> PlanImport:
    return IMPORTER.run_apply(batch, actor)


def plan_import_cancel(*, actor, batch: PlanImport) -> PlanImport:
    return IMPORTER.cancel(batch, message=_("Cancelled: nothing was written."))


def plan_import_summary(batch: PlanImport) -> str:
    """What a finished check or import says."""
    counts = {
        "lessons": number(batch.new_rows), "periods": number(batch.periods),
        "online": number(batch.online_periods), "errors": number(batch.error_rows),
    }  # fmt: skip
    if batch.status == PlanImport.Status.DONE:
        return _("Done: the plan has %(lessons)s lessons, %(periods)s periods, %(online)s of them online.") % counts
    if batch.status == PlanImport.Status.READY:
        return (
            _(
                "Every line is correct: %(lessons)s lessons, %(periods)s periods (%(online)s online) will replace "
                "the plan's lessons."
            )
            % counts
        )
    if batch.error_rows:
        return refused_summary(batch, errors=counts["errors"])
    return batch.message
