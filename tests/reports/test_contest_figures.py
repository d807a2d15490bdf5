"""Contest figures in the participation snapshots (issue #18, point 4): participants, products and awards counted
per school by the recompute (contests.figures.school_figures, grouped queries), every unit above the sum of its
schools, the same numbers as contests' own unit_figures, and shown on the dashboard."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contests import results
from contests.figures import unit_figures
from contests.models import Award, Round, RoundEntry
from reports.models import UnitStat
from reports.services import stats_recompute
from tests.accounts.factories import make_person
from tests.contests.judging_world import enter_product, world
from tests.units.factories import make_unit
from units.models import Role, Unit
from units.periods import all_time, month_of

pytestmark = pytest.mark.django_db


def _periods():
    return [all_time(), month_of(timezone.localdate())]


def _figures(unit, period=None):
    period = period or all_time()
    row = UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)
    return (row.contest_participants, row.contest_products, row.contest_awards)


@pytest.fixture
def w(tree):
    """Department A's product round: one student each of S1, S2 (Office A1) and S3 (Department B) and a team of
    two of S1 hand in; S2 wins the first prize, S1 and S3 share the second; the team gets nothing."""
    w = world(tree)
    scores = {"s1": Decimal(20), "s2": Decimal(25), "s3": Decimal(20)}
    for key, product in w.products.items():
        RoundEntry.objects.filter(pk=product.entry_id).update(score=scores[key])
    leader = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Đội Trưởng")
    partner = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Thành Viên")
    team = enter_product(w.round, person=leader, school=tree.s1, team_members=[(partner, tree.s1)])
    RoundEntry.objects.filter(pk=team.entry_id).update(score=Decimal(12))
    Round.objects.filter(pk=w.round.pk).update(scores_locked=True)
    results.quotas_set(actor=w.organiser, round_=w.round,
                       quotas={Award.Prize.FIRST: ("count", 1), Award.Prize.SECOND: ("count", 1)})  # fmt: skip
    results.awards_assign(actor=w.organiser, round_=w.round)
    return w


def _publish(w):
    Round.objects.filter(pk=w.round.pk).update(
        closed_at=timezone.now() - timedelta(hours=1), results_publish_at=timezone.now() - timedelta(minutes=1)
    )


def test_each_school_is_counted_and_every_level_is_the_sum_of_its_schools(w):
    tree = w.tree
    stats_recompute(periods=_periods())
    # Awards count only once the results are out.
    assert _figures(tree.s1) == (3, 2, 0) and _figures(tree.s2) == (1, 1, 0)
    _publish(w)
    stats_recompute(periods=_periods())
    for period in _periods():  # everything happened this month
        assert _figures(tree.s1, period) == (3, 2, 1)  # a student and a team of two; two products; a second prize
        assert _figures(tree.s2, period) == (1, 1, 1)
        assert _figures(tree.s3, period) == (1, 1, 1)
        assert _figures(tree.office_a1, period) == (4, 3, 2)
        assert _figures(tree.dept_b, period) == (1, 1, 1)
        schools = UnitStat.objects.filter(
            unit__kind=Unit.Kind.SCHOOL, period_kind=period.kind, period_start=period.start
        ).values_list("contest_participants", "contest_products", "contest_awards")
        assert _figures(tree.ministry, period) == tuple(map(sum, zip(*schools, strict=True))) == (5, 4, 3)
        # The same definitions as contests' own figures of a unit.
        for unit in (tree.office_a1, tree.dept_a, tree.dept_b, tree.ministry):
            own = unit_figures(unit, period)
            assert _figures(unit, period) == (own["participants"], own["products"], own["awards"])
    # A month with nothing in it counts nothing.
    empty = month_of(timezone.localdate().replace(day=1) - timedelta(days=40))
    stats_recompute(periods=[empty])
    assert _figures(tree.s1, empty) == (0, 0, 0)


def test_the_recompute_costs_the_same_queries_whatever_the_number_of_schools(w):
    _publish(w)
    with CaptureQueriesContext(connection) as few:
        stats_recompute(periods=_periods())
    for n in range(6):
        school = make_unit(w.tree.office_a1, Unit.Kind.SCHOOL, f"Trường THCS thi {n}", school_level="thcs")
        enter_product(w.round, person=make_person(unit=school, role=Role.STUDENT), school=school)
    with CaptureQueriesContext(connection) as more:
        stats_recompute(periods=_periods())
    assert len(more.captured_queries) <= len(few.captured_queries)
    assert _figures(w.tree.office_a1) == (10, 9, 2)


def test_the_dashboard_shows_the_contest_figures_with_their_definition(w, client):
    _publish(w)
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=w.tree.dept_a, role=Role.DEPARTMENT_STAFF))
    page = client.get(reverse("reports:dashboard", args=[w.tree.dept_a.pk])).content.decode()
    assert 'data-testid="total-contests"' in page
    s1_row = page.split(f'data-unit="{w.tree.s1.code}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="contests">3 / 2 / 1<' in s1_row
    # The definitions are rendered with the tables (kept in the cache): read them off the page.
    definitions = page.split('data-testid="definitions"', 1)[1].split("</details>", 1)[0]
    assert "Cuộc thi" in definitions or "Contests" in definitions
