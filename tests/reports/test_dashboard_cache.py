"""The dashboard's tables are rendered once per snapshot and targets (issue #19, point 9): a second visit
reads them from the cache, and a recompute or a new target shows at once."""

import re

from django.urls import reverse
from django.utils import translation

from reports.services import stats_recompute
from tests.accounts.factories import make_person
from units.models import Role, Target
from units.periods import all_time
from units.services import targets_set


def _row(page: str, code: str) -> str:
    return re.search(rf'<tr data-unit="{re.escape(code)}">.*?</tr>', page, re.S).group(0)


def test_a_second_visit_reads_the_rendered_tables_and_a_recompute_shows_new_numbers(
    client, tree, django_assert_max_num_queries
):
    make_person(unit=tree.g1, role=Role.TEACHER)
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    with translation.override("vi"), django_assert_max_num_queries(30) as first:
        page = client.get(url).content.decode()
    assert f'data-unit="{tree.s1.code}"' in page
    with translation.override("vi"), django_assert_max_num_queries(len(first.captured_queries) - 2) as second:
        again = client.get(url).content.decode()
    # The rows' query and the trend's are not made again; the page is the same.
    assert len(second.captured_queries) < len(first.captured_queries)
    assert _row(again, tree.s1.code) == _row(page, tree.s1.code)
    assert 'id="chart-data"' in again and "chart.umd.min.js" in again
    # Two more teachers at s1, recomputed: the cached table is not shown any more.
    before = _row(page, tree.s1.code)
    make_person(unit=tree.g1, role=Role.TEACHER)
    make_person(unit=tree.g1, role=Role.TEACHER)
    stats_recompute(periods=[all_time()])
    with translation.override("vi"):
        after = _row(client.get(url).content.decode(), tree.s1.code)
    assert after != before
    assert re.search(r'data-label="[^"]*">(?:<a [^>]*>)?3<', after)  # 3 teacher accounts now


def test_a_new_target_changes_the_flags_at_once(client, tree):
    make_person(unit=tree.g1, role=Role.TEACHER)  # no proper photo: 0% of the target
    stats_recompute(periods=[all_time()])
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    with translation.override("vi"):
        flagged = _row(client.get(url).content.decode(), tree.s1.code)
    assert "ảnh đại diện đúng quy định: 0% (chỉ tiêu" in flagged
    current = dict.fromkeys(Target.Metric.values, "0")
    targets_set(actor=staff, unit=tree.dept_a, values=current)  # nothing expected any more
    with translation.override("vi"):
        cleared = _row(client.get(url).content.decode(), tree.s1.code)
    assert "(chỉ tiêu" not in cleared


def test_each_query_string_has_its_own_tables(client, tree):
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    assert "bi-caret-down-fill" not in client.get(url).content.decode()
    # The sorted table (its header shows the direction) is not the one cached for the plain address.
    assert "bi-caret-down-fill" in client.get(url + "?sort=name&dir=desc").content.decode()
    assert "bi-caret-down-fill" not in client.get(url).content.decode()


def test_a_share_refresh_renews_the_snapshots_the_cached_tables_key_on(tree):
    """The online share is refreshed school by school without a full recompute (reports.tasks): the rows
    it rewrites get a new computed_at, so the dashboards' cached tables are not read any more."""
    from reports.models import UnitStat
    from reports.services import share_recompute_schools, share_rollup

    stats_recompute()
    before = dict(UnitStat.objects.filter(unit__in=[tree.dept_a, tree.s1]).values_list("pk", "computed_at"))
    assert share_recompute_schools(school_ids=[tree.s1.pk]) and share_rollup()
    after = dict(UnitStat.objects.filter(unit__in=[tree.dept_a, tree.s1]).values_list("pk", "computed_at"))
    renewed = [pk for pk, when in after.items() if when > before[pk]]
    assert UnitStat.objects.filter(pk__in=renewed, unit=tree.dept_a).exists()
    assert UnitStat.objects.filter(pk__in=renewed, unit=tree.s1).exists()
