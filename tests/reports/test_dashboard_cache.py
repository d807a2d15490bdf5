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


def _summary(page: str) -> str:
    return re.search(r'<table[^>]*data-testid="level-summary">.*?</table>', page, re.S).group(0)


def test_the_summary_by_level_and_the_definitions_are_kept_with_the_tables_and_renewed_by_a_recompute(
    client, tree, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from units.services import UnitSpec, units_bulk_create

    # Two school levels, so the summary by level shows.
    spec = UnitSpec(code="THPT-X", name="Trường THPT X", kind="school", school_level="thpt")
    units_bulk_create(actor=None, parent=tree.dept_a, specs=[spec])
    make_person(unit=tree.g1, role=Role.TEACHER)
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    with translation.override("vi"), CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert any("SUM(" in q["sql"] for q in first.captured_queries)  # the summary's grouped query
    assert 'data-testid="definitions"' in page
    with translation.override("vi"), CaptureQueriesContext(connection) as second:
        again = client.get(url).content.decode()
    # Read from the cache: no grouped query any more, the same summary and definitions.
    assert not any("SUM(" in q["sql"] for q in second.captured_queries)
    assert _summary(again) == _summary(page)
    assert 'data-testid="definitions"' in again
    # Two more teachers, recomputed: the summary shows them at once.
    make_person(unit=tree.g1, role=Role.TEACHER)
    make_person(unit=tree.g1, role=Role.TEACHER)
    stats_recompute(periods=[all_time()])
    with translation.override("vi"):
        after = client.get(url).content.decode()
    assert _summary(after) != _summary(page)


def test_the_cached_parts_hold_nothing_of_the_viewer_and_each_viewer_gets_their_own_declare_links(client, tree):
    """The list of schools still to declare is made per viewer, outside the cache: each name links to the
    school's form only for those who may manage it."""
    stats_recompute(periods=[all_time()])
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    with translation.override("vi"):
        response = client.get(url)
    page = response.content.decode()
    declare = reverse("units:declare", args=[tree.s1.pk])
    assert f'href="{declare}"' in page
    for part in ("figures_html", "summary_html", "definitions_html"):
        html = response.context[part]
        assert "csrfmiddlewaretoken" not in html and "/khai-bao/" not in html and staff.full_name not in html
    # Someone who may see the statistics of a school but not manage the others: from the cache, no link to
    # the other schools' forms (s1 is not theirs).
    school_admin = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN)
    client.force_login(school_admin)
    with translation.override("vi"):
        other = client.get(reverse("reports:dashboard", args=[tree.s2.pk])).content.decode()
    assert f'href="{declare}"' not in other
