"""The online share in the participation figures (issue #17, point 2): each school's planned and taught online
periods and programme periods stored per period, rolled up to the Office, the Department and the Ministry as a
ratio of sums; only secondary schools count toward the 10% target; flags, the schools that pull the share
down, the target editable with the others; the Celery recompute school by school, idempotent and equal to
the full recompute; the dashboard's queries constant in the number of schools."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import LiveSession
from reports.models import SHARE_FIELDS, UnitStat
from reports.selectors import flags_for, lagging_first, share_pulling_down
from reports.services import stats_recompute
from reports.tasks import share_recompute, stats_recompute_task
from teaching import services as plans
from teaching.models import LessonMode, LiveLesson, PlanLesson, PlanLevel
from teaching.selectors import online_share, share_percent
from tests.accounts.factories import make_person
from tests.courses.factories import make_course
from tests.units.factories import make_unit
from units.models import Role, Target, Unit
from units.periods import all_time, school_year_of
from units.selectors import effective_targets, targets_resolver
from units.services import targets_set

pytestmark = pytest.mark.django_db
K = Unit.Kind


def _periods():
    today = timezone.localdate()
    return [all_time(today), school_year_of(today)]


def _stat(unit, period=None):
    period = period or all_time()
    return UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)


def _approved_plan(school, group, *, subject, grade, online_rows, live_session=None):
    """A group's plan of `subject`/`grade` with its first `online_rows` rows online (LMS; the first one live
    on `live_session` when given), approved by the principal at both steps."""
    leader = make_person(unit=group, role=Role.GROUP_LEADER)
    principal = make_person(unit=school, role=Role.PRINCIPAL)
    plan = plans.plan_create(actor=leader, school=school, level=PlanLevel.GROUP, subject=subject, grade=grade,
                             group=group)  # fmt: skip
    for lesson in PlanLesson.objects.filter(plan=plan, position__lte=online_rows).order_by("position"):
        live = live_session is not None and lesson.position == 1
        plans.lesson_update(
            actor=leader, lesson=lesson, title=lesson.title, periods=lesson.periods, week=lesson.week,
            mode=LessonMode.LIVE if live else LessonMode.LMS, live_session_id=live_session.pk if live else None,
        )  # fmt: skip
    plans.plan_submit(actor=leader, plan=plan)
    plans.plan_approve(actor=principal, plan=plan)
    plans.plan_approve(actor=principal, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "approved"
    return plan


@pytest.fixture
def country(tree):
    """S1 (THCS, grades 6–7): Toán 6 with 2 rows of 4 online, one of them a live lesson already held;
    S2 (THCS, grades 6–9): Toán 6 with 10 rows of 4 online; P1 (primary, under the same Office): Toán 1 with
    10 rows of 3 online — counted in the share of all schools, never in the secondary target."""
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    course = make_course(unit=tree.s1, author=teacher, kind="lesson", title="Toán 6 trực tuyến")
    held = LiveSession.objects.create(
        course=course, title="Buổi 1", starts_at=timezone.now() - timedelta(hours=3), duration_minutes=45,
        url="https://meet.jit.si/toan6", created_by=teacher,
    )  # fmt: skip
    LiveLesson.objects.create(session=held, first_join_at=held.starts_at)  # it took place: someone joined
    _approved_plan(tree.s1, tree.g1, subject="Toán", grade=6, online_rows=2, live_session=held)
    _approved_plan(tree.s2, tree.g3, subject="Toán", grade=6, online_rows=10)
    p1 = make_unit(tree.office_a1, K.SCHOOL, "Trường TH Lam Hạ", school_level="th")
    _approved_plan(p1, make_unit(p1, K.GROUP, "Tổ 1"), subject="Toán", grade=1, online_rows=10)
    tree.p1 = p1
    return tree


def test_the_roll_up_is_a_ratio_of_sums_and_primary_schools_leave_the_target(country):
    tree = country
    stats_recompute(periods=_periods())
    year = school_year_of(timezone.localdate())
    label = f"{year.first_year}-{year.first_year + 1}"
    own = {s: online_share(unit=s, school_year=label).schools[0].total for s in (tree.s1, tree.s2, tree.p1, tree.t1)}
    p = {s: own[s].programme for s in own}
    # Each school's row: the figures of its own share page.
    s1 = _stat(tree.s1)
    assert (s1.share_programme, s1.share_planned, s1.share_taught) == (p[tree.s1], 8, 4)
    assert (s1.secondary_programme, s1.secondary_planned, s1.secondary_taught) == (p[tree.s1], 8, 4)
    assert s1.secondary_planned_rate == own[tree.s1].planned_percent
    s2, p1 = _stat(tree.s2), _stat(tree.p1)
    assert (s2.secondary_programme, s2.secondary_planned, s2.secondary_taught) == (p[tree.s2], 40, 0)
    assert (p1.share_programme, p1.share_planned) == (p[tree.p1], 30)
    assert (p1.secondary_programme, p1.secondary_planned) == (0, 0)  # a primary school: not in the target
    # The Office: S1 + S2 at secondary level (P1 only in the share of all schools), a ratio of sums.
    office = _stat(tree.office_a1)
    assert (office.secondary_programme, office.secondary_planned, office.secondary_taught) == (
        p[tree.s1] + p[tree.s2],
        48,
        4,
    )
    assert (office.share_programme, office.share_planned) == (p[tree.s1] + p[tree.s2] + p[tree.p1], 78)
    assert office.secondary_planned_rate == share_percent(48, p[tree.s1] + p[tree.s2])
    average = (s1.secondary_planned_rate + s2.secondary_planned_rate) / 2
    assert office.secondary_planned_rate != average.quantize(Decimal("0.1"))
    # The Department adds its THPT school (no approved plan: its programme, no online period) to the Office.
    dept = _stat(tree.dept_a)
    assert (dept.secondary_programme, dept.secondary_planned) == (p[tree.s1] + p[tree.s2] + p[tree.t1], 48)
    # The Ministry: Department A plus Department B (S3 has no plan: its programme only).
    ministry, dept_b = _stat(tree.ministry), _stat(tree.dept_b)
    for name in SHARE_FIELDS:
        assert getattr(ministry, name) == getattr(dept, name) + getattr(dept_b, name)
    # The school year's row has the same share as the all-time row (both the running school year's).
    assert _stat(tree.office_a1, year).secondary_planned == 48


def test_below_the_target_is_flagged_with_the_schools_that_pull_it_down(country, in_english):
    tree = country
    stats_recompute(periods=_periods())
    assert effective_targets(unit=tree.s1)[Target.Metric.ONLINE_SHARE].value == Decimal(10)
    period = all_time()
    office = _stat(tree.office_a1)
    flags = flags_for(office, effective_targets(unit=tree.office_a1), period)
    assert any("online teaching planned at secondary level" in flag and "target 10%" in flag for flag in flags)
    # A secondary school with nothing online planned yet: a mild flag of its own, not "lagging" (the first
    # year of the rules would otherwise put every school at the head of the lagging list).
    t1_flags = flags_for(_stat(tree.t1), effective_targets(unit=tree.t1), period)
    share_flags = [flag for flag in t1_flags if "online teaching" in flag]
    assert [flag.kind for flag in share_flags] == ["share"] and "no online teaching planned yet" in share_flags[0]
    assert not lagging_first([(_stat(tree.t1), share_flags)])
    p1_flags = flags_for(_stat(tree.p1), effective_targets(unit=tree.p1), period)
    assert not any("online teaching" in flag for flag in p1_flags)  # primary: no 10% rule
    down = share_pulling_down(unit=tree.dept_a, period=period, resolve=targets_resolver(unit=tree.dept_a))
    # The three secondary schools (T1 has no online period), the most periods missing first; not P1.
    names = [line.stat.unit for line in down]
    assert set(names) == {tree.s1, tree.s2, tree.t1}
    missing = {line.stat.unit: line.missing for line in down}
    assert [missing[unit] for unit in names] == sorted(missing.values(), reverse=True)
    t1 = _stat(tree.t1)
    assert missing[tree.t1] == Decimal(t1.secondary_programme) / 10 and t1.secondary_planned == 0
    s1 = _stat(tree.s1)
    assert missing[tree.s1] == (Decimal(s1.secondary_programme) / 10 - 8).quantize(Decimal("0.1"))
    # A Department's lower target (edited with the other targets) clears the Office's flag.
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    current = dict.fromkeys(Target.Metric.values, "")
    targets_set(actor=staff, unit=tree.dept_a, values={**current, Target.Metric.ONLINE_SHARE: "0,5"})
    flags = flags_for(office, effective_targets(unit=tree.office_a1), period)
    assert not any("online teaching" in flag for flag in flags)
    with pytest.raises(Exception, match="above 100"):
        targets_set(actor=staff, unit=tree.dept_a, values={**current, Target.Metric.ONLINE_SHARE: "120"})


def test_the_dashboard_shows_the_share_and_its_target_page_edits_it(client, country):
    tree = country
    stats_recompute(periods=_periods())
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    page = client.get(reverse("reports:dashboard", args=[tree.office_a1.pk])).text
    assert 'data-testid="total-share"' in page and "Tỉ lệ dạy học trực tuyến" in page
    assert 'data-testid="share-down"' in page and tree.s1.name in page
    targets = client.get(reverse("reports:targets", args=[tree.dept_a.pk])).text
    assert Target.Metric.ONLINE_SHARE in targets


def test_the_celery_recompute_is_idempotent_and_equals_the_full_recompute(country, django_capture_on_commit_callbacks):
    tree = country
    stats_recompute(periods=_periods())
    fields = ("unit_id", "period_kind", "period_start", *SHARE_FIELDS)
    full = set(UnitStat.objects.values_list(*fields))
    # Scramble the stored shares, then the task sets them back, school by school then the roll-up.
    UnitStat.objects.update(share_planned=999, secondary_planned=999, share_programme=1)
    share_recompute(tree.ministry.pk)
    once = set(UnitStat.objects.filter(period_kind__in=["all", "year"]).values_list(*fields))
    assert once == {row for row in full if row[1] in ("all", "year")}
    share_recompute(tree.ministry.pk)  # run twice: the same rows
    assert set(UnitStat.objects.filter(period_kind__in=["all", "year"]).values_list(*fields)) == once
    # A new approved plan: the Department's task sees it, the Office and the Ministry follow.
    _approved_plan(tree.s3, make_unit(tree.s3, K.GROUP, "Tổ Toán"), subject="Toán", grade=7, online_rows=5)
    share_recompute(tree.dept_b.pk)
    assert _stat(tree.s3).secondary_planned == 20
    assert _stat(tree.ministry).secondary_planned == 48 + 20
    # The snapshots' own task keeps the shares while it rewrites the rows, then refreshes them.
    stats_recompute_task(tree.dept_b.pk)
    assert _stat(tree.office_b1).secondary_planned == 20


def test_the_dashboard_queries_do_not_grow_with_the_schools(client, country, django_assert_max_num_queries):
    tree = country
    stats_recompute(periods=_periods())
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[tree.office_a1.pk])
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        school = make_unit(tree.office_a1, K.SCHOOL, f"Trường THCS thêm {n}", school_level="thcs")
        _approved_plan(school, make_unit(school, K.GROUP, f"Tổ {n}"), subject="Toán", grade=6, online_rows=1)
    stats_recompute(periods=_periods())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).text
    assert page.count('data-testid="share-down"') == 1 and "Trường THCS thêm 5" in page


def test_the_schools_own_page_follows_the_editable_target(country, in_english):
    tree = country
    year = school_year_of(timezone.localdate())
    label = f"{year.first_year}-{year.first_year + 1}"
    assert online_share(unit=tree.s2, school_year=label).schools[0].below_target  # 40 of its periods < 10%
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    values = dict.fromkeys(Target.Metric.values, "") | {Target.Metric.ONLINE_SHARE: "1"}
    targets_set(actor=staff, unit=tree.dept_a, values=values)
    school = online_share(unit=tree.s2, school_year=label).schools[0]
    assert school.target == Decimal(1) and not school.below_target
    assert online_share(unit=tree.s3, school_year=label).schools[0].target == Decimal(10)  # another Department
