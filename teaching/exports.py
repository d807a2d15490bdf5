"""A plan as an xlsx sheet in the layout schools print (issue #17, point 1): a title line naming the plan,
then one row per lesson — STT, week, lesson or topic, periods, mode, link — and the totals at the end."""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from truonghoc.xlsx import SheetBytes, xlsx_bytes

from .models import TeachingPlan
from .selectors import plan_lessons
from .services import plan_totals


def plan_filename(plan: TeachingPlan) -> str:
    return f"ke-hoach-{slugify(plan.subject) or 'mon'}-lop-{plan.grade}-{plan.school_year}.xlsx"


def plan_xlsx(plan: TeachingPlan) -> SheetBytes:
    title = _("%(level)s · %(subject)s, grade %(grade)s · school year %(year)s · %(school)s") % {
        "level": plan.get_level_display(),
        "subject": plan.subject,
        "grade": plan.grade,
        "year": plan.school_year,
        "school": plan.unit.name if plan.unit_id != plan.school_id else plan.school.name,
    }
    header = [_("No."), _("Week"), _("Lesson or topic"), _("Periods"), _("Mode"), _("Link")]
    rows = []
    for lesson in plan_lessons(plan=plan):
        link = ""
        if lesson.live_session is not None:
            link = lesson.live_session.url
        elif lesson.section is not None:
            link = f"{lesson.section.course.title} · {lesson.section.title}"
        rows.append([lesson.position, lesson.week, lesson.title, lesson.periods, lesson.get_mode_display(), link])
    totals = plan_totals(plan)
    rows.append(["", "", _("Total periods"), totals["planned"], "", ""])
    rows.append(["", "", _("Online periods"), totals["online"], "", ""])
    rows.append(["", "", _("Programme periods"), totals["programme"] or "", "", ""])
    return xlsx_bytes(title=title, header=header, rows=rows, sheet_name=_("Plan"))
