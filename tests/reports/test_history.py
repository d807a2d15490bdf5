"""Statistics as the tree was (issue #15, point 1): a school moved to another Office stays under its old
Office in the periods that ended before the move; a closed unit keeps its figures up to its closing date
(point 2) and is never lagging in the periods after it; the incremental path gives the full recompute's
numbers; the recompute's query count does not grow with the number of moved schools."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.models import Course
from reports.models import UnitStat
from reports.selectors import dashboard, flags_for, lagging_first, level_summary
from reports.services import stats_recompute
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units.models import Role, Unit, UnitMove
from units.periods import all_time, month_of
from units.selectors import effective_targets, parent_path_at, parent_paths_at, tree_history
from units.services import unit_close, unit_move

K = Unit.Kind


def at_noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def periods():
    """P1: last month (ended); now: this month (running); and all time."""
    today = timezone.localdate()
    p1 = month_of(today.replace(day=1) - timedelta(days=1))
    return [p1, month_of(today), all_time(today)]


def stat(unit, period):
    return UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)


def figures():
    return {
        (s.unit_id, s.period_kind, s.period_start): [getattr(s, f) for f in UnitStat.SUMMED]
        for s in UnitStat.objects.all()
    }


def active_in(school, group, day):
    """A teacher of `school` who joined on `day` and posted a topic in `group` that day."""
    teacher = make_person(unit=group, role=Role.TEACHER, home=school)
    User.objects.filter(pk=teacher.pk).update(date_joined=at_noon(day))
    Course.objects.create(
        kind="topic", status="published", unit=group, author=teacher, title=f"Chuyên đề {teacher.pk}",
        body="<p>Nội dung chuyên đề</p>", created_at=at_noon(day),
    )  # fmt: skip
    return teacher


@pytest.fixture
def moved(tree, periods):
    """S2 (Office A1) active in P1, recomputed, then moved to Office A2 today and recomputed again."""
    p1, _now, _all = periods
    active_in(tree.s2, tree.g3, p1.start + timedelta(days=10))
    stats_recompute(periods=periods)
    unit_move(actor=None, unit=tree.s2, new_parent=tree.office_a2)
    stats_recompute(periods=periods)
    return tree


def test_a_moved_school_counts_under_its_old_office_in_periods_that_ended_before_the_move(moved, periods):
    tree, (p1, now, everything) = moved, periods
    a1, a2 = tree.office_a1, tree.office_a2
    # P1 ended before the move: S2 and its teacher and topic are still Office A1's.
    assert (stat(a1, p1).schools, stat(a1, p1).teacher_accounts, stat(a1, p1).topics) == (2, 1, 1)
    assert (stat(a2, p1).schools, stat(a2, p1).teacher_accounts, stat(a2, p1).topics) == (0, 0, 0)
    # The running periods: S2 is Office A2's now.
    for period in (now, everything):
        assert stat(a1, period).schools == 1 and stat(a2, period).schools == 1
        assert stat(a2, period).teacher_accounts == 1 and stat(a1, period).teacher_accounts == 0
    # The Department's totals do not depend on which of its Offices the school was under.
    assert stat(tree.dept_a, p1).schools == stat(tree.dept_a, now).schools == 3


def test_the_dashboards_of_the_old_and_new_office_show_it_accordingly(moved, periods, in_english):
    tree, (p1, now, _all) = moved, periods

    def names(unit, period):
        _own, sections = dashboard(unit=Unit.objects.get(pk=unit.pk), period=period)
        return {section.title: sorted(r.unit.name for r in section.rows) for section in sections}

    s1, s2 = tree.s1.name, tree.s2.name
    assert names(tree.office_a1, p1) == {"Units below": [s2, s1]}
    assert names(tree.office_a2, p1) == {}
    assert names(tree.office_a1, now) == {"Units below": [s1]}
    assert names(tree.office_a2, now) == {"Units below": [s2]}
    # The Department's page puts it in its Office's section, as it was then.
    dept_p1 = names(tree.dept_a, p1)
    assert dept_p1[tree.office_a1.name] == [s2, s1] and dept_p1[tree.office_a2.name] == []
    dept_now = names(tree.dept_a, now)
    assert dept_now[tree.office_a1.name] == [s1] and dept_now[tree.office_a2.name] == [s2]
    # The summary by school level follows the same tree.
    assert [row["schools"] for row in level_summary(unit=tree.office_a1, period=p1)] == [2]
    assert [row["schools"] for row in level_summary(unit=tree.office_a2, period=p1)] == []
    assert [row["schools"] for row in level_summary(unit=tree.office_a2, period=now)] == [1]


def test_an_office_moved_to_another_department_takes_its_schools_only_from_its_move_on(tree, periods):
    p1, now, _all = periods
    active_in(tree.s2, tree.g3, p1.start + timedelta(days=3))
    unit_move(actor=None, unit=tree.office_a1, new_parent=tree.dept_b)
    stats_recompute(periods=periods)
    assert stat(tree.dept_a, p1).schools == 3 and stat(tree.dept_b, p1).schools == 1
    assert stat(tree.dept_a, p1).topics == 1 and stat(tree.dept_b, p1).topics == 0
    assert stat(tree.dept_a, now).schools == 1 and stat(tree.dept_b, now).schools == 3
    _own, sections = dashboard(unit=Unit.objects.get(pk=tree.dept_a.pk), period=p1)
    assert {s.title: len(s.rows) for s in sections}[tree.office_a1.name] == 2


def test_the_incremental_path_gives_the_full_recompute_s_numbers_after_a_move(tree, periods):
    p1, _now, _all = periods
    active_in(tree.s2, tree.g3, p1.start + timedelta(days=5))
    stats_recompute(periods=periods)
    s2 = unit_move(actor=None, unit=tree.s2, new_parent=tree.office_a2)
    stats_recompute(unit=s2, periods=periods)  # only the moved school
    incremental = figures()
    stats_recompute(unit=Unit.objects.get(pk=tree.office_a1.pk), periods=periods)  # only its old Office
    assert figures() == incremental
    stats_recompute(periods=periods)
    assert figures() == incremental
    assert stat(tree.office_a1, p1).schools == 2


def test_the_recompute_costs_the_same_queries_for_one_or_many_moved_schools(
    tree, periods, django_assert_max_num_queries
):
    schools = [make_unit(tree.office_a1, K.SCHOOL, school_level="thcs") for _ in range(6)]
    unit_move(actor=None, unit=schools[0], new_parent=tree.office_a2)
    with CaptureQueriesContext(connection) as one:
        stats_recompute(periods=periods)
    for school in schools[1:]:
        unit_move(actor=None, unit=school, new_parent=tree.office_a2)
    unit_move(actor=None, unit=tree.office_a2, new_parent=tree.dept_b)
    with django_assert_max_num_queries(len(one.captured_queries)):
        stats_recompute(periods=periods)
    assert stat(tree.office_a1, periods[0]).schools == 8 and stat(tree.office_a1, periods[1]).schools == 2


def test_parent_paths_at_is_parent_path_at_for_many_units_in_one_query(tree, periods, django_assert_num_queries):
    p1 = periods[0]
    unit_move(actor=None, unit=tree.s2, new_parent=tree.office_a2)
    unit_move(actor=None, unit=tree.s2, new_parent=tree.office_b1)
    units = list(Unit.objects.filter(pk__in=[tree.s1.pk, tree.s2.pk, tree.t1.pk, tree.ministry.pk]))
    with django_assert_num_queries(1):
        found = parent_paths_at(units, p1.end)
    assert found == {u.pk: parent_path_at(u, p1.end) for u in units}
    s2 = Unit.objects.get(pk=tree.s2.pk)
    assert found[s2.pk] == tree.office_a1.path  # the parent before the first of its two moves
    assert parent_paths_at([s2], timezone.localdate())[s2.pk] == Unit.objects.get(pk=tree.office_b1.pk).path
    assert found[tree.ministry.pk] == ""
    history = tree_history(after=p1.end)
    assert history.parent_path_at(s2.path, p1.end) == tree.office_a1.path
    assert history.ancestor_paths_at(s2.path, p1.end) == [tree.office_a1.path, tree.dept_a.path, tree.ministry.path]
    assert UnitMove.objects.filter(unit=s2).count() == 2


# --- point 2: closed units --------------------------------------------------------------------------


@pytest.fixture
def closed(tree, periods):
    """A school of Office A1 (one group, a topic and a teacher in P1), closed on P1's last day after its
    teacher left; recomputed."""
    p1, _now, _all = periods
    school = make_unit(tree.office_a1, K.SCHOOL, "Trường THCS Đã Đóng", school_level="thcs")
    group = make_unit(school, K.GROUP, "Tổ Toán")
    teacher = active_in(school, group, p1.start + timedelta(days=2))
    Unit.objects.filter(pk__in=[school.pk, group.pk]).update(created_at=at_noon(p1.start))
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    unit_close(actor=None, unit=group, on=p1.end)
    unit_close(actor=None, unit=Unit.objects.get(pk=school.pk), on=p1.end)
    stats_recompute(periods=periods)
    return Unit.objects.get(pk=school.pk)


def test_a_closed_school_keeps_its_figures_in_periods_that_started_before_it_closed(tree, closed, periods):
    p1, now, everything = periods
    row = stat(closed, p1)
    assert (row.schools, row.groups, row.topics) == (1, 1, 1)
    assert stat(closed, everything).topics == 1
    assert not UnitStat.objects.filter(unit=closed, period_kind=now.kind, period_start=now.start).exists()
    # Its Office counts it where it counts, and not after.
    assert stat(tree.office_a1, p1).schools == 3 and stat(tree.office_a1, p1).topics == 1
    assert stat(tree.office_a1, now).schools == 2 and stat(tree.office_a1, now).topics == 0
    # The incremental path agrees.
    before = figures()
    stats_recompute(unit=Unit.objects.get(pk=tree.office_a1.pk), periods=periods)
    assert figures() == before


def test_a_closed_school_is_never_lagging_after_it_closed(tree, closed, periods):
    p1, now, everything = periods
    office = Unit.objects.get(pk=tree.office_a1.pk)
    targets = effective_targets(unit=office)

    def rows(period):
        _own, sections = dashboard(unit=office, period=period)
        return [r for s in sections for r in s.rows]

    assert closed.pk in {r.unit_id for r in rows(p1)}
    assert closed.pk not in {r.unit_id for r in rows(now)}
    # All time goes on after it closed: shown with its figures, flagged only as closed, not lagging.
    mine = next(r for r in rows(everything) if r.unit_id == closed.pk)
    flags = flags_for(mine, targets, everything)
    assert [f.kind for f in flags] == ["closed"]
    assert closed.pk not in {r.unit_id for r, _f in lagging_first([(mine, flags)])}
    # In P1, which ended on its closing day, it was open all along: its flags are the usual ones.
    in_p1 = next(r for r in rows(p1) if r.unit_id == closed.pk)
    assert "closed" not in {f.kind for f in flags_for(in_p1, targets, p1)}
    assert lagging_first([(in_p1, flags_for(in_p1, targets, p1))])  # no teacher account: lagging then


def test_a_merged_school_still_counts_nowhere(tree, periods):
    from units.services import unit_merge

    unit_merge(actor=None, source=tree.s2, into=tree.s1)
    stats_recompute(periods=periods)
    assert not UnitStat.objects.filter(unit=tree.s2).exists()
    assert stat(tree.office_a1, periods[0]).schools == 1


def test_the_dashboard_page_shows_a_closed_school_as_closed_not_lagging(client, tree, closed, periods, english_pages):
    p1, now, everything = periods
    client.force_login(make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF))
    url = reverse("reports:dashboard", args=[tree.office_a1.pk])

    def lagging_names(response):
        return {row.unit.name for _title, shown, more in response.context["lagging"] for row, _f in shown + more}

    response = client.get(url, {"period": everything.key})
    assert f"closed on {closed.closed_on:%d/%m/%Y}" in response.content.decode()
    assert closed.name not in lagging_names(response) and tree.s1.name in lagging_names(response)
    response = client.get(url, {"period": p1.key})
    assert closed.name in lagging_names(response)  # it was open all through P1 and had no teacher account
    response = client.get(url, {"period": now.key})
    assert closed.name not in response.content.decode()
