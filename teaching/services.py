"""Every write of teaching plans: create (pre-filled from the programme or drafted from another plan), the
lessons (add, change, remove, reorder), submit (the periods must add up to the programme's), and the
decisions through the approvals engine (group step, then the principal's).

The programme's periods per subject and grade come from the grade book's subject rules of the school year
(`gradebook.services.rules_of_year`: the 2018 programme's table, editable per year), so the plan and the
grade book never disagree on how many periods a subject has.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import services as approval
from approvals.models import Status
from courses.models import LiveSession, Section
from gradebook.models import Regulation
from gradebook.services import current_school_year, rules_of_year
from truonghoc.formatting import date_text
from truonghoc.softdelete import alive_q
from truonghoc.text import nfc, refuse_formula_or_bidi
from units.models import Unit, in_subtree_q
from units.selectors import SchoolYearDates, school_year_labelled
from units.services import audit_log

from .models import MAX_WEEK, LessonMode, PlanLesson, PlanLevel, PlanReview, TeachingPlan
from .permissions import can_create_plan, can_edit_plan

# The programme's school year has 35 weeks: a plan pre-filled from it spreads its periods over them.
PROGRAMME_WEEKS = 35


# --- the programme --------------------------------------------------------------------------------


def regulation_of_grade(grade: int) -> str:
    return Regulation.TT27_2020 if grade <= 5 else Regulation.TT22_2021


def programme_periods(*, school_year: str, grade: int, subject: str) -> int | None:
    """Periods a year of `subject` in `grade` (None: not in the programme of that year)."""
    rule = rules_of_year(school_year).get((regulation_of_grade(grade), grade, subject))
    return rule.periods_per_year if rule else None


def programme_of_year(school_year: str) -> dict[tuple[int, str], int]:
    """{(grade, subject): periods a year} of the whole programme of a school year."""
    rules = rules_of_year(school_year)
    return {(grade, subject): rule.periods_per_year for (_reg, grade, subject), rule in rules.items()}


def programme_rows(total: int, *, weeks: int = PROGRAMME_WEEKS) -> list[tuple[int, int]]:
    """(week, periods) rows spreading `total` periods over the year's weeks, the extra periods in the first
    weeks: 140 → 35 rows of 4; 52 → 17 rows of 2 and 18 of 1; 20 → 20 rows of 1. Adds up to `total`."""
    if total <= 0:
        return []
    count = min(total, weeks)
    base, extra = divmod(total, count)
    return [(week, base + (1 if week <= extra else 0)) for week in range(1, count + 1)]


# --- the school year and its records ---------------------------------------------------------------


def school_year_dates(school: Unit, school_year: str) -> SchoolYearDates:
    """The dates of `school_year` ("2026-2027") as the school reads them (its Department's calendar)."""
    return school_year_labelled(int(school_year[:4]), school)


def year_is_closed(school: Unit, school_year: str, *, today=None) -> bool:
    """A school year has closed once its last day (units' SchoolYear) is past: from then on its
    online-teaching records (plans, attendance) are archived and read-only (issue #17, point 5)."""
    return (today or timezone.localdate()) > school_year_dates(school, school_year).end


def ensure_year_open(school: Unit, school_year: str) -> None:
    """Refuse, with the message users see, a change to the records of a closed school year. Every write of
    plans and of live attendance calls it."""
    if year_is_closed(school, school_year):
        raise ValidationError(
            _(
                "The school year %(year)s closed on %(end)s: its online-teaching records are archived and "
                "read-only, nothing can be changed."
            )
            % {"year": school_year, "end": date_text(school_year_dates(school, school_year).end)},
            code="year_closed",
        )


# --- creating a plan ------------------------------------------------------------------------------


def _lesson(plan, position, *, title, periods, week, mode=LessonMode.DIRECT, live_session=None, section=None):
    lesson = PlanLesson(
        plan=plan,
        position=position,
        title=title,
        periods=periods,
        week=week,
        mode=mode,
        live_session=live_session,
        section=section,
    )
    lesson.full_clean()
    return lesson


@transaction.atomic
def plan_create(
    *,
    actor,
    school: Unit,
    level: str,
    subject: str,
    grade: int,
    group: Unit | None = None,
    school_year: str | None = None,
    source: TeachingPlan | None = None,
) -> TeachingPlan:
    """A new draft plan. Its lessons are copied from `source` (a school's or group's plan of the same
    subject and grade in the school), else pre-filled from the programme: one row per week, the periods
    spread so that they add up to the programme's. Refused, nothing written: someone who may not write at
    that level, a subject not in the programme for that grade, a second plan for the same subject and grade."""
    subject = nfc(subject).strip()
    if level not in PlanLevel.values:
        raise ValidationError({"level": [_("Choose the school's, a group's or your own plan.")]})
    if level == PlanLevel.SCHOOL:
        group = None
    if not can_create_plan(actor, school=school, level=level, group=group):
        raise PermissionDenied(_("You cannot write a plan at this level for this school or group."))
    school_year = school_year or current_school_year(school)
    ensure_year_open(school, school_year)
    total = programme_periods(school_year=school_year, grade=grade, subject=subject)
    if total is None:
        raise ValidationError(
            {
                "subject": [
                    _("%(subject)s is not in the programme for grade %(grade)s.") % {"subject": subject, "grade": grade}
                ]
            }
        )
    if source is not None and (
        source.school_id != school.pk
        or source.subject != subject
        or source.grade != grade
        or source.school_year != school_year
        or source.is_deleted
    ):
        raise ValidationError({"source": [_("Draft from a plan of the same school, subject, grade and year.")]})
    unit = school if level == PlanLevel.SCHOOL else group
    duplicate = TeachingPlan.objects.alive().filter(
        school=school, school_year=school_year, subject=subject, grade=grade, level=level
    )
    if level == PlanLevel.GROUP:
        duplicate = duplicate.filter(unit=unit)
    elif level == PlanLevel.TEACHER:
        duplicate = duplicate.filter(author=actor)
    if duplicate.exists():
        raise ValidationError(
            _("There is already such a plan for %(subject)s, grade %(grade)s in %(year)s: open it instead.")
            % {"subject": subject, "grade": grade, "year": school_year}
        )
    now = timezone.now()
    plan = TeachingPlan(
        school=school,
        unit=unit,
        level=level,
        school_year=school_year,
        subject=subject,
        grade=grade,
        author=actor,
        source=source,
        created_at=now,
        updated_at=now,
    )
    plan.full_clean()
    plan.save()
    if source is not None:
        rows = [
            _lesson(
                plan,
                n,
                title=row.title,
                periods=row.periods,
                week=row.week,
                mode=row.mode,
                live_session=row.live_session,
                section=row.section,
            )
            for n, row in enumerate(source.lessons.all(), start=1)
        ]
    else:
        rows = [
            _lesson(plan, n, title=_("Week %(week)s: lesson or topic") % {"week": week}, periods=periods, week=week)
            for n, (week, periods) in enumerate(programme_rows(total), start=1)
        ]
    PlanLesson.objects.bulk_create(rows)
    audit_log(
        actor=actor,
        action="teaching.plan_create",
        unit=unit,
        target=plan,
        after={"subject": subject, "grade": grade, "level": level, "year": school_year, "rows": len(rows)},
    )
    return plan


# --- lessons --------------------------------------------------------------------------------------


def _editable(actor, plan: TeachingPlan) -> TeachingPlan:
    plan = TeachingPlan.objects.select_for_update().select_related("school", "unit").get(pk=plan.pk)
    ensure_year_open(plan.school, plan.school_year)
    if not can_edit_plan(actor, plan):
        if not plan.is_editable:
            raise ValidationError(
                _("This plan is waiting for approval or approved: it can no longer be changed."), code="locked"
            )
        raise PermissionDenied(_("You cannot change this plan."))
    return plan


def _touch(plan: TeachingPlan) -> None:
    """A change to a refused plan makes it a draft again (sent again, it goes through every step)."""
    plan.updated_at = timezone.now()
    if plan.status == Status.REFUSED:
        plan.status = Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])


def _renumber(plan: TeachingPlan) -> None:
    lessons = list(plan.lessons.order_by("position", "id"))
    changed = []
    for n, lesson in enumerate(lessons, start=1):
        if lesson.position != n:
            lesson.position = n
            changed.append(lesson)
    PlanLesson.objects.bulk_update(changed, ["position"])


def _link(school: Unit, mode: str, live_session_id, section_id):
    """The live session / LMS section a lesson points at: of a course of the school, not removed, and only
    for a lesson of that mode."""
    live_session = section = None
    if live_session_id:
        if mode != LessonMode.LIVE:
            raise ValidationError({"live_session": [_("Only an online live lesson links to a live session.")]})
        live_session = (
            LiveSession.objects.alive()
            .filter(alive_q("course__"), in_subtree_q(school, "course__unit"), pk=live_session_id)
            .first()
        )
        if live_session is None:
            raise ValidationError({"live_session": [_("Choose a live session of a course of this school.")]})
    if section_id:
        if mode != LessonMode.LMS:
            raise ValidationError({"section": [_("Only an online LMS lesson links to a course section.")]})
        section = (
            Section.objects.alive()
            .filter(alive_q("course__"), in_subtree_q(school, "course__unit"), pk=section_id)
            .first()
        )
        if section is None:
            raise ValidationError({"section": [_("Choose a section of a course of this school.")]})
    return live_session, section


@transaction.atomic
def lesson_add(*, actor, plan: TeachingPlan, after: PlanLesson | None = None) -> PlanLesson:
    """A new row (1 period, direct), after `after` or at the end, in the week of the row before it."""
    plan = _editable(actor, plan)
    if after is not None and after.plan_id != plan.pk:
        raise ValidationError(_("This row is not in this plan."))
    if after is None:
        position = (plan.lessons.aggregate(m=Max("position"))["m"] or 0) + 1
        last = plan.lessons.order_by("-position", "-id").first()
        week = last.week if last else 1
    else:
        position = after.position + 1
        plan.lessons.filter(position__gte=position).update(position=F("position") + 1)
        week = after.week
    lesson = _lesson(plan, position, title=_("New lesson or topic"), periods=1, week=week)
    lesson.save()
    _renumber(plan)
    _touch(plan)
    return lesson


@transaction.atomic
def lesson_update(
    *,
    actor,
    lesson: PlanLesson,
    title: str,
    periods: int,
    week: int,
    mode: str,
    live_session_id: int | None = None,
    section_id: int | None = None,
) -> PlanLesson:
    """Change one row. Refused with the field's message, nothing written: an empty or formula-like title,
    periods not 1–200, a week outside 1–52, a link that is not the school's or not of the lesson's mode."""
    plan = _editable(actor, lesson.plan)
    lesson = PlanLesson.objects.select_for_update().get(pk=lesson.pk, plan=plan)
    title = nfc(title).strip()
    if not title:
        raise ValidationError({"title": [_("Give the lesson or topic a title.")]})
    try:
        refuse_formula_or_bidi(title)
    except ValidationError as exc:
        raise ValidationError({"title": exc.messages}) from None
    if mode not in LessonMode.values:
        raise ValidationError({"mode": [_("Choose in class, online live or online on the LMS.")]})
    if not (isinstance(week, int) and 1 <= week <= MAX_WEEK):
        raise ValidationError({"week": [_("The week is a number from 1 to %(max)s.") % {"max": MAX_WEEK}]})
    if not (isinstance(periods, int) and 1 <= periods <= 200):
        raise ValidationError({"periods": [_("The periods are a number from 1 to 200.")]})
    live_session, section = _link(plan.school, mode, live_session_id, section_id)
    lesson.title, lesson.periods, lesson.week, lesson.mode = title, periods, week, mode
    lesson.live_session, lesson.section = live_session, section
    lesson.full_clean()
    lesson.save(update_fields=["title", "periods", "week", "mode", "live_session", "section"])
    _touch(plan)
    return lesson


@transaction.atomic
def plan_lessons_replace(*, actor, plan: TeachingPlan, rows: list[dict]) -> TeachingPlan:
    """Replace every lesson of a draft or refused plan with `rows` ({title, periods, week, mode,
    live_session_id, section_id}, in order): what a plan imported from xlsx does. Each row is checked as
    `lesson_update` checks one; a refusal (ValidationError naming the row) writes nothing."""
    plan = _editable(actor, plan)
    lessons = []
    for position, row in enumerate(rows, start=1):
        mode = row.get("mode") or LessonMode.DIRECT
        try:
            live_session, section = _link(plan.school, mode, row.get("live_session_id"), row.get("section_id"))
            lessons.append(
                _lesson(
                    plan,
                    position,
                    title=nfc(row["title"]).strip(),
                    periods=row["periods"],
                    week=row["week"],
                    mode=mode,
                    live_session=live_session,
                    section=section,
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("Row %(row)s: %(problem)s") % {"row": position, "problem": " ".join(error.messages)}
            ) from error
    plan.lessons.all().delete()
    PlanLesson.objects.bulk_create(lessons)
    _touch(plan)
    audit_log(
        actor=actor, action="teaching.plan_lessons_replace", unit=plan.unit, target=plan,
        after={"rows": len(lessons), "periods": sum(lesson.periods for lesson in lessons)},
    )  # fmt: skip
    return plan


@transaction.atomic
def lesson_remove(*, actor, lesson: PlanLesson) -> None:
    plan = _editable(actor, lesson.plan)
    PlanLesson.objects.filter(pk=lesson.pk, plan=plan).delete()
    _renumber(plan)
    _touch(plan)


@transaction.atomic
def lesson_move(*, actor, lesson: PlanLesson, offset: int) -> None:
    """Swap a row with the one above (offset -1) or below (+1); at either end nothing moves."""
    plan = _editable(actor, lesson.plan)
    rows = list(plan.lessons.order_by("position", "id"))
    index = next((n for n, row in enumerate(rows) if row.pk == lesson.pk), None)
    if index is None:
        raise ValidationError(_("This row is not in this plan."))
    other = index + (1 if offset > 0 else -1)
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for n, row in enumerate(rows, start=1):
        row.position = n
    PlanLesson.objects.bulk_update(rows, ["position"])
    _touch(plan)


# --- checks and approval --------------------------------------------------------------------------


def plan_totals(plan: TeachingPlan) -> dict:
    """The plan's periods against the programme's: planned, online (live + LMS), programme (None: the
    subject is no longer in the programme of that year)."""
    planned = online = 0
    for periods, mode in plan.lessons.values_list("periods", "mode"):
        planned += periods
        if mode != LessonMode.DIRECT:
            online += periods
    programme = programme_periods(school_year=plan.school_year, grade=plan.grade, subject=plan.subject)
    return {"planned": planned, "online": online, "programme": programme}


def periods_problem(plan: TeachingPlan, totals: dict | None = None) -> str | None:
    """Why the plan cannot be sent yet (its periods do not add up to the programme's), or None."""
    totals = totals or plan_totals(plan)
    if totals["programme"] is None:
        return _("%(subject)s is not in the programme for grade %(grade)s.") % {
            "subject": plan.subject,
            "grade": plan.grade,
        }
    if totals["planned"] != totals["programme"]:
        return _(
            "The lessons add up to %(planned)s periods, but the programme has %(programme)s periods of "
            "%(subject)s in grade %(grade)s: make them add up before sending the plan."
        ) % {
            "planned": totals["planned"],
            "programme": totals["programme"],
            "subject": plan.subject,
            "grade": plan.grade,
        }
    return None


@transaction.atomic
def plan_submit(*, actor, plan: TeachingPlan) -> TeachingPlan:
    """The author sends the plan for approval; refused while its periods do not add up to the
    programme's (the message names both numbers). A refused plan is sent again from draft."""
    plan = TeachingPlan.objects.select_for_update().select_related("school").get(pk=plan.pk)
    ensure_year_open(plan.school, plan.school_year)
    if plan.status == Status.REFUSED and plan.author_id == actor.pk:
        plan.status = Status.DRAFT
        plan.save(update_fields=["status", "updated_at"])
    problem = periods_problem(plan)
    if problem:
        raise ValidationError(problem, code="periods")
    return approval.submit(PLANS, actor=actor, subject=plan)


@transaction.atomic
def plan_approve(*, actor, plan: TeachingPlan) -> TeachingPlan:
    """Approve the step the plan waits at now (read under lock): the group's, then the principal's."""
    plan = _lock(plan)
    ensure_year_open(plan.school, plan.school_year)
    if plan.status == Status.SUBMITTED:
        return approval.approve_group(PLANS, actor=actor, subject=plan)
    return approval.approve_school(PLANS, actor=actor, subject=plan)


@transaction.atomic
def plan_refuse(*, actor, plan: TeachingPlan, reason: str) -> TeachingPlan:
    plan = _lock(plan)
    ensure_year_open(plan.school, plan.school_year)
    return approval.refuse(PLANS, actor=actor, subject=plan, reason=reason)


# --- the approval kind ----------------------------------------------------------------------------


def _lock(plan: TeachingPlan) -> TeachingPlan:
    return (
        TeachingPlan.objects.select_for_update(of=("self",))
        .select_related("unit", "author", "shared_with", "school")
        .get(pk=plan.pk)
    )


def _names(plan: TeachingPlan) -> dict:
    return {"plan": f"{plan.get_level_display()} · {plan.subject} {plan.grade} ({plan.school_year})"}


def plan_url(plan: TeachingPlan) -> str:
    return reverse("teaching:plan", kwargs={"pk": plan.pk})


def _go_live(*, actor, item, subject, school, now) -> tuple[dict, dict]:
    plan = item
    before = {"status": plan.status}
    plan.status = Status.APPROVED
    plan.shared_with = school
    plan.updated_at = now
    plan.save(update_fields=["status", "shared_with", "updated_at"])
    return before, {"status": plan.status}


_NOT_SHARED = gettext_lazy("A teaching plan is not shared beyond its school.")

PLANS = approval.ApprovalKind(
    name="teaching.plan",
    review_model=PlanReview,
    words={
        "submit_forbidden": gettext_lazy("Only the author of the plan sends it for approval."),
        "waits_for_you": gettext_lazy("A teaching plan waits for your approval: %(plan)s"),
        "stale_step": gettext_lazy("This plan is no longer waiting for this decision."),
        "stale": gettext_lazy("This plan is no longer waiting for a decision."),
        "own": gettext_lazy("Nobody approves their own plan."),
        "forbidden_step": gettext_lazy("You do not decide this step of the plan's approval."),
        "group_approved": gettext_lazy("Your plan %(plan)s was approved by the group and waits for the principal."),
        "approved": gettext_lazy("Your plan %(plan)s was approved."),
        "refuse_reason": gettext_lazy("Say why the plan is refused, so its author can correct it."),
        "refused": gettext_lazy("Your plan %(plan)s was refused."),
        "propose_forbidden": _NOT_SHARED,
        "not_above": _NOT_SHARED,
        "already_open": _NOT_SHARED,
        "proposed_to": _NOT_SHARED,
        "proposed_for_you": _NOT_SHARED,
        "share_reason": _NOT_SHARED,
        "shared": _NOT_SHARED,
        "share_refused": _NOT_SHARED,
    },
    lock=_lock,
    lock_item=_lock,
    item_of=lambda plan: plan,
    live_subject=lambda plan, review: plan,
    step_fields=lambda plan, _same: {"plan": plan},
    names=_names,
    review_url=plan_url,
    item_url=plan_url,
    proposal_url=lambda review: plan_url(review.plan),
    queue_url=lambda: reverse("teaching:plans"),
    go_live=_go_live,
    audit_after=lambda plan: {"status": plan.status},
    may_propose=lambda user, item: False,
)
