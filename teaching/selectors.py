"""Reads of teaching plans: the plans a person sees, a plan's lessons and trail, and the online share.

The online share (issue #17, point 2) = online periods (live + LMS) ÷ all periods of the programme, as a
percent with one decimal rounded half up, PLANNED (approved plans) and TAUGHT (their online lessons that
took place), per subject and grade, per group, per teacher and for the school; per school and on
average for an Office, a Department or the Ministry. The page, `manage.py online_share` and tests read
`online_share(unit=…, school_year=…)`, so they show the same numbers.

- A school's rows are the programme's subjects of the grades it teaches (grades of its open classes, else
  those of its level); an elective (lựa chọn) or a learning topic (chuyên đề) counts only where the school
  planned it, since students choose among them. A subject without an approved plan has no online periods.
- The school's row for a subject and grade reads its approved school's plan, else the group's approved
  plan (the latest, should two groups plan the same subject and grade).
- A lesson is TAUGHT when its linked live session took place — it is not removed and someone joined it
  through the portal's "join" step or its teacher confirmed its attendance (`teaching.models.held_q`,
  point 4); a session whose time is past but that nobody joined and nobody confirmed was not held —, or
  its linked LMS section was opened to students by the end of its week (its course published, the section
  existing, by that day) and the week has begun. courses keeps no per-section opening date yet: that
  would refine the LMS rule.
- Averages are weighted by periods: Σ online ÷ Σ programme periods. At secondary level (grade 6 and up)
  the school's planned average must reach ONLINE_TARGET (10%); below it the school is flagged with the
  subjects that pull it down (planned share under 10%, the largest shortfall in periods first).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from approvals.models import Status
from approvals.selectors import trail
from courses.models import COUNTED_STATUSES
from truonghoc.text import fold
from units.models import Role, Target, Unit, ancestor_paths, in_subtree_q, parent_path, school_path_of
from units.permissions import SCHOOL_MANAGER_ROLES, units_where
from units.selectors import effective_targets, school_year_labelled, targets_resolver

from .models import ONLINE_MODES, LessonMode, LiveLesson, PlanLesson, PlanLevel, PlanReview, TeachingPlan, held_q
from .services import programme_of_year

ONLINE_TARGET = Decimal(10)
SECONDARY_FROM_GRADE = 6
LEVEL_GRADES = {
    Unit.SchoolLevel.PRIMARY: range(1, 6),
    Unit.SchoolLevel.LOWER_SECONDARY: range(6, 10),
    Unit.SchoolLevel.UPPER_SECONDARY: range(10, 13),
    Unit.SchoolLevel.MULTI_LEVEL: range(1, 13),
    Unit.SchoolLevel.CONTINUING: range(6, 13),
}


def share_percent(online: int, total: int) -> Decimal | None:
    """online ÷ total as a percent with one decimal, half up (1 of 8 → 12.5; 1 of 3 → 33.3; 2 of 3 → 66.7);
    None without a denominator."""
    if not total:
        return None
    return (Decimal(online) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def is_optional(subject: str) -> bool:
    """An elective or a learning topic of upper secondary: counted only where the school plans it."""
    return "(lựa chọn)" in subject or subject.startswith("Chuyên đề")


# --- plans a person sees ---------------------------------------------------------------------------


def plans_visible_to(*, user) -> QuerySet[TeachingPlan]:
    """Plans the user may open (teaching.permissions.can_view_plan as a query): their own; their group's
    (as its leader); their school's (as its manager); the approved ones of a school they teach at."""
    plans = TeachingPlan.objects.alive().select_related("school", "unit", "author")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return plans.none()
    if user.is_superuser:
        return plans
    query = Q(author=user)
    for role, path, kind in units_where(user):
        if role in SCHOOL_MANAGER_ROLES and kind in Unit.SCHOOL_KINDS:
            query |= Q(school__path=path)
        elif role == Role.GROUP_LEADER and kind == Unit.Kind.GROUP:
            query |= Q(unit__path=path)
        if role in (Role.TEACHER, Role.GROUP_LEADER):
            school_path = school_path_of(path, kind)
            query |= Q(school__path=school_path, status=Status.APPROVED)
    return plans.filter(query)


def plan_list(*, user, q: str = "", subject: str = "", grade: int | None = None, status: str = "", scope: str = ""):
    """The list page's rows: `scope` "mine" (written by me), "group" (my groups' plans), "school" (the
    school's plans), else all I see; filtered by subject, grade, status; `q` searches the subject, the
    author and the school (accent-free)."""
    plans = plans_visible_to(user=user)
    if scope == "mine":
        plans = plans.filter(author=user)
    elif scope == "group":
        plans = plans.filter(level__in=[PlanLevel.GROUP, PlanLevel.TEACHER])
    elif scope == "school":
        plans = plans.filter(level=PlanLevel.SCHOOL)
    if subject:
        plans = plans.filter(subject=subject)
    if grade:
        plans = plans.filter(grade=grade)
    if status:
        plans = plans.filter(status=status)
    if q:
        # Subjects are few: folded here, so "toan" finds Toán as names and units do.
        folded = fold(q)
        subjects = {s for s in plans.values_list("subject", flat=True).distinct() if folded in fold(s)}
        plans = plans.filter(
            Q(subject__in=subjects)
            | Q(author__name_folded__contains=folded)
            | Q(school__name_folded__contains=folded)
            | Q(unit__name_folded__contains=folded)
        )
    return plans.order_by("-school_year", "grade", "subject", "level", "id")


def plan_subjects(*, user) -> list[str]:
    return sorted(set(plans_visible_to(user=user).values_list("subject", flat=True)))


def plan_lessons(*, plan: TeachingPlan) -> list[PlanLesson]:
    return list(plan.lessons.select_related("live_session", "section", "section__course").order_by("position", "id"))


def plan_trail(*, plan: TeachingPlan) -> list[PlanReview]:
    return trail(PlanReview, items=[plan])


def plans_waiting_for(*, user) -> QuerySet[TeachingPlan]:
    from approvals.selectors import waiting_at_steps

    return waiting_at_steps(TeachingPlan.objects.select_related("school", "unit", "author"), user=user)


def plan_sources(*, plan_school: Unit, school_year: str, subject: str, grade: int) -> QuerySet[TeachingPlan]:
    """The plans a new one may be drafted from: the school's and its groups' plans of that subject and grade
    (approved first)."""
    return (
        TeachingPlan.objects.alive()
        .filter(
            school=plan_school,
            school_year=school_year,
            subject=subject,
            grade=grade,
            level__in=[PlanLevel.SCHOOL, PlanLevel.GROUP],
        )
        .select_related("unit")
    )


# --- the online share ------------------------------------------------------------------------------


@dataclass
class Share:
    """Online periods planned and taught against the programme's periods of one row or total."""

    label: str
    programme: int = 0
    planned: int = 0
    taught: int = 0
    key: int | None = None  # the group's unit id or the teacher's user id (records pick theirs by it)

    @property
    def planned_percent(self) -> Decimal | None:
        return share_percent(self.planned, self.programme)

    @property
    def taught_percent(self) -> Decimal | None:
        return share_percent(self.taught, self.programme)

    def add(self, other: "Share") -> None:
        self.programme += other.programme
        self.planned += other.planned
        self.taught += other.taught


@dataclass
class SubjectShare(Share):
    subject: str = ""
    grade: int = 0
    source: str = ""  # "school", "group" or "" (no approved plan)
    plan_id: int | None = None

    def shortfall(self, target: Decimal = ONLINE_TARGET) -> Decimal:
        """Online periods missing for this row to reach the target."""
        return self.programme * target / 100 - self.planned


@dataclass
class SchoolShare:
    school: Unit
    school_year: str
    rows: list[SubjectShare] = field(default_factory=list)
    groups: list[Share] = field(default_factory=list)
    teachers: list[Share] = field(default_factory=list)
    total: Share = field(default_factory=lambda: Share(label=""))
    # The online_share target in force at the school (units' targets, editable with the others; 10% unless
    # a unit above set another).
    target: Decimal = ONLINE_TARGET

    @property
    def is_secondary(self) -> bool:
        return any(row.grade >= SECONDARY_FROM_GRADE for row in self.rows)

    @property
    def below_target(self) -> bool:
        percent = self.total.planned_percent
        return self.is_secondary and (percent is None or percent < self.target)

    @property
    def pulling_down(self) -> list[SubjectShare]:
        """The subjects under the target, the largest shortfall in periods first (empty unless flagged)."""
        if not self.below_target:
            return []
        under = [row for row in self.rows if (row.planned_percent or 0) < self.target]
        return sorted(under, key=lambda row: (-row.shortfall(self.target), row.grade, row.subject))


@dataclass
class UnitShare:
    unit: Unit
    school_year: str
    schools: list[SchoolShare]
    total: Share

    @property
    def is_school(self) -> bool:
        return self.unit.is_school

    @property
    def flagged(self) -> list[SchoolShare]:
        return [school for school in self.schools if school.below_target]


def _grades_taught(schools: list[Unit], *, under: Unit | None = None) -> dict[int, set[int]]:
    """Grades of each school's open classes (one query: the subtree of `under`, else of each school), else
    those of its level."""
    by_path = {school.path: school.pk for school in schools}
    grades: dict[int, set[int]] = defaultdict(set)
    if schools:
        if under is not None:
            query = in_subtree_q(under.path, "")
        else:
            query = Q()
            for school in schools:
                query |= in_subtree_q(school.path, "", include_self=False)
        classes = Unit.objects.filter(query, kind=Unit.Kind.CLASS, is_active=True).values_list("path", "grade")
        for path, grade in classes:
            school_id = by_path.get(parent_path(path))
            if school_id is not None and grade:
                grades[school_id].add(grade)
    for school in schools:
        if not grades[school.pk]:
            grades[school.pk] = set(LEVEL_GRADES.get(school.school_level, ()))
    return grades


def grades_taught(school: Unit) -> set[int]:
    return _grades_taught([school])[school.pk]


def _week_end(year_start: date, week: int) -> date:
    return year_start + timedelta(days=7 * week - 1)


def _taught(lesson: PlanLesson, *, year_start: date, now, today: date) -> bool:
    """`lesson` needs `live_held` (annotated by `_held_annotation`). A live lesson is taught once its session
    took place (someone joined it, or its attendance was confirmed) and had begun by `now`."""
    if lesson.mode == LessonMode.LIVE:
        session = lesson.live_session
        return bool(session is not None and not session.is_deleted and lesson.live_held and session.starts_at <= now)
    if lesson.mode == LessonMode.LMS:
        section = lesson.section
        if section is None or section.is_deleted or section.course.is_deleted:
            return False
        course = section.course
        week_start = year_start + timedelta(days=7 * (lesson.week - 1))
        week_end = _week_end(year_start, lesson.week)
        return bool(
            week_start <= today
            and course.status in COUNTED_STATUSES
            and course.published_at is not None
            and timezone.localdate(course.published_at) <= week_end
            and timezone.localdate(section.created_at) <= week_end
        )
    return False


def _held_annotation():
    return Exists(LiveLesson.objects.filter(held_q(), session_id=OuterRef("live_session_id")))


def _plan_shares(plans: list[TeachingPlan], year_start_of: dict[int, date], as_of=None) -> dict[int, tuple[int, int]]:
    """{plan id: (online periods planned, online periods taught by `as_of`, default now)}, in one query for
    all the plans."""
    now = as_of or timezone.now()
    today = timezone.localdate(now)
    result = {plan.pk: [0, 0] for plan in plans}
    school_of = {plan.pk: plan.school_id for plan in plans}
    lessons = (
        PlanLesson.objects.filter(plan_id__in=list(result), mode__in=ONLINE_MODES)
        .select_related("live_session", "section", "section__course")
        .annotate(live_held=_held_annotation())
    )
    for lesson in lessons:
        pair = result[lesson.plan_id]
        pair[0] += lesson.periods
        if _taught(lesson, year_start=year_start_of[school_of[lesson.plan_id]], now=now, today=today):
            pair[1] += lesson.periods
    return {pk: (pair[0], pair[1]) for pk, pair in result.items()}


def _school_share(school, school_year, programme, grades, plans, shares) -> SchoolShare:
    result = SchoolShare(school=school, school_year=school_year)
    chosen: dict[tuple[int, str], TeachingPlan] = {}
    groups: dict[int, Share] = {}
    teachers: dict[int, Share] = {}
    # Latest first, so the first plan met for a subject and grade at a level is the one kept.
    for plan in sorted(plans, key=lambda p: (p.updated_at, p.pk), reverse=True):
        periods = programme.get((plan.grade, plan.subject))
        if periods is None:
            continue
        planned, taught = shares[plan.pk]
        row = Share(label="", programme=periods, planned=planned, taught=taught)
        key = (plan.grade, plan.subject)
        if plan.level == PlanLevel.SCHOOL:
            chosen[key] = plan
        elif plan.level == PlanLevel.GROUP:
            groups.setdefault(plan.unit_id, Share(label=plan.unit.name, key=plan.unit_id)).add(row)
            if key not in chosen:
                chosen[key] = plan
        else:
            teachers.setdefault(plan.author_id, Share(label=plan.author.full_name, key=plan.author_id)).add(row)
    keys = {(grade, subject) for (grade, subject) in programme if grade in grades and not is_optional(subject)}
    keys |= set(chosen)
    for grade, subject in sorted(keys):
        plan = chosen.get((grade, subject))
        planned, taught = shares[plan.pk] if plan else (0, 0)
        row = SubjectShare(
            label=f"{subject} {grade}",
            programme=programme[(grade, subject)],
            planned=planned,
            taught=taught,
            subject=subject,
            grade=grade,
            source=plan.level if plan else "",
            plan_id=plan.pk if plan else None,
        )
        result.rows.append(row)
        result.total.add(row)
    result.total.label = school.name
    result.groups = sorted(groups.values(), key=lambda s: s.label)
    result.teachers = sorted(teachers.values(), key=lambda s: s.label)
    return result


def schools_under(unit: Unit) -> list[Unit]:
    if unit.is_school:
        return [unit]
    return list(
        Unit.objects.filter(in_subtree_q(unit.path, ""), kind__in=Unit.SCHOOL_KINDS, is_active=True).order_by("name")
    )


def online_share(*, unit: Unit, school_year: str, as_of=None) -> UnitShare:
    """The online share of `unit` (a school, or every school under an Office, Department, the Ministry) in
    `school_year` ("2026-2027"): a fixed number of queries for any number of schools, plus one per
    Department for its calendar. `as_of` (a time, default now) is when "taught" is read: the twice-yearly
    report reads it at a semester's end."""
    results = school_shares(schools=schools_under(unit), school_year=school_year, under=unit, as_of=as_of)
    resolve = targets_resolver(unit=unit)  # one query: the targets in force at each school
    for school_share in results:
        school_share.target = resolve(school_share.school.path)[Target.Metric.ONLINE_SHARE].value
    total = Share(label=unit.name)
    for school_share in results:
        total.add(school_share.total)
    return UnitShare(unit=unit, school_year=school_year, schools=results, total=total)


def school_shares(*, schools: list[Unit], school_year: str, under: Unit | None = None, as_of=None) -> list[SchoolShare]:
    """Each school's share in `school_year`, in the order given (what `online_share` shows and `reports`
    stores per school): a fixed number of queries for the list (`under`: a unit above them all, so their
    classes are read with one prefix), plus one per Department for its calendar. `as_of`: as online_share."""
    programme = programme_of_year(school_year)
    first_year = int(school_year[:4])
    # The calendar (week dates) is the Department's: read once per Department.
    calendars: dict[str, date] = {}
    year_start_of: dict[int, date] = {}
    for school in schools:
        key = ancestor_paths(school.path)[:2][-1]  # the Department's (Ministry → Department → …)
        if key not in calendars:
            calendars[key] = school_year_labelled(first_year, school).start
        year_start_of[school.pk] = calendars[key]
    plans = list(
        TeachingPlan.objects.alive()
        .filter(school__in=schools, school_year=school_year, status=Status.APPROVED)
        .select_related("unit", "author")
    )
    shares = _plan_shares(plans, year_start_of, as_of)
    by_school: dict[int, list[TeachingPlan]] = defaultdict(list)
    for plan in plans:
        by_school[plan.school_id].append(plan)
    grades = _grades_taught(schools, under=under)
    return [
        _school_share(school, school_year, programme, grades[school.pk], by_school[school.pk], shares)
        for school in schools
    ]


def online_lessons_of(*, plans: list[int], school: Unit, school_year: str, as_of=None) -> dict[int, tuple[int, int]]:
    """{plan id: (online lessons, online lessons taught by `as_of`)} of these plans of `school`, with the
    same rule of "taught" as the share. One query."""
    year_start = school_year_labelled(int(school_year[:4]), school).start
    now = as_of or timezone.now()
    today = timezone.localdate(now)
    result = {pk: [0, 0] for pk in plans}
    lessons = (
        PlanLesson.objects.filter(plan_id__in=plans, mode__in=ONLINE_MODES)
        .select_related("live_session", "section", "section__course")
        .annotate(live_held=_held_annotation())
    )
    for lesson in lessons:
        pair = result[lesson.plan_id]
        pair[0] += 1
        pair[1] += _taught(lesson, year_start=year_start, now=now, today=today)
    return {pk: (pair[0], pair[1]) for pk, pair in result.items()}


def approved_plans_count(*, school: Unit, school_year: str) -> int:
    return TeachingPlan.objects.alive().filter(school=school, school_year=school_year, status=Status.APPROVED).count()


def share_target(*, unit: Unit) -> Decimal:
    """The online_share target in force at `unit` (its own, else the nearest set above, else 10%)."""
    return effective_targets(unit=unit)[Target.Metric.ONLINE_SHARE].value
