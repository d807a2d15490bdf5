"""Participation statistics: computed from the data, rolled up so totals are sums, reproduced for Hà Nam."""

import io
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from courses.models import Course
from courses.services.topics import topic_quality_assess
from reports.models import UnitStat
from reports.participation import read_participation_table
from reports.selectors import dashboard, flags_for
from reports.services import stats_recompute
from tests.accounts.factories import make_person
from units.models import Role, Target, Unit
from units.periods import all_time, month_of, semester_of
from units.selectors import effective_targets
from units.services import targets_set

from .test_seed import HA_NAM


def stat(unit, period=None):
    period = period or all_time()
    return UnitStat.objects.get(unit=unit, period_kind=period.kind, period_start=period.start)


def topic(unit, author, title, body="<p>Nội dung</p>", days_ago=1):
    # Published as the publish service does it: the topic's quality (empty, near-duplicate) is assessed.
    return topic_quality_assess(
        course=Course.objects.create(
            kind="topic", status="published", unit=unit, author=author, title=title, body=body,
            created_at=timezone.now() - timedelta(days=days_ago),
        )
    )  # fmt: skip


@pytest.fixture
def people(tree):
    teachers = [make_person(unit=tree.g1, role=Role.TEACHER) for _ in range(3)]
    User.objects.filter(pk=teachers[0].pk).update(photo="photos/a.jpg", photo_status="proper")
    for _ in range(4):
        make_person(unit=tree.c1, role=Role.STUDENT)
    make_person(unit=tree.g3, role=Role.TEACHER)
    make_person(unit=tree.s3, role=Role.STUDENT)
    topic(tree.g1, teachers[0], "Dạy học dự án – Toán 6")
    topic(tree.g1, teachers[1], "Dạy học dự án – Toán 6")  # the same title again: a duplicate
    topic(tree.g2, teachers[2], "Chuyên đề trống", body="<p> </p>")  # a title without content
    topic(tree.g3, None, "Kĩ thuật khăn trải bàn", days_ago=400)
    return teachers


def test_schools_are_counted_from_the_data_and_every_level_is_the_sum(tree, people):
    stats_recompute()
    s1 = stat(tree.s1)
    assert (s1.teacher_accounts, s1.student_accounts, s1.teachers_photo_ok, s1.groups) == (3, 4, 1, 2)
    assert (s1.topics, s1.topics_empty, s1.topics_duplicate, s1.real_topics) == (3, 1, 1, 1)
    office = stat(tree.office_a1)
    assert office.teacher_accounts == 4 and office.topics == 4 and office.schools == 2
    assert stat(tree.dept_a).teacher_accounts == 4 and stat(tree.dept_b).student_accounts == 1
    ministry = stat(tree.ministry)
    assert ministry.schools == 4 and ministry.student_accounts == 5
    for field in UnitStat.SUMMED:
        assert getattr(ministry, field) == getattr(stat(tree.dept_a), field) + getattr(stat(tree.dept_b), field)


def test_periods_count_what_happened_in_them(tree, people):
    this_month = month_of(timezone.localdate())
    stats_recompute(periods=[all_time(), this_month, semester_of(timezone.localdate())])
    assert stat(tree.s2).topics == 1 and stat(tree.s2, this_month).topics == 0  # posted 400 days ago


def test_full_recompute_is_idempotent_and_agrees_with_the_incremental_path(tree, people):
    periods = [all_time()]
    stats_recompute(periods=periods)
    first = {s.unit_id: [getattr(s, f) for f in UnitStat.SUMMED] for s in UnitStat.objects.all()}
    stats_recompute(periods=periods)
    assert {s.unit_id: [getattr(s, f) for f in UnitStat.SUMMED] for s in UnitStat.objects.all()} == first
    # New data in one school, recomputed for that school only: the units above follow…
    make_person(unit=tree.c2, role=Role.STUDENT)
    stats_recompute(unit=tree.s1, periods=periods)
    incremental = {s.unit_id: [getattr(s, f) for f in UnitStat.SUMMED] for s in UnitStat.objects.all()}
    assert stat(tree.ministry).student_accounts == 6
    # …and a full recompute gives exactly the same rows.
    stats_recompute(periods=periods)
    assert {s.unit_id: [getattr(s, f) for f in UnitStat.SUMMED] for s in UnitStat.objects.all()} == incremental


def test_a_school_moved_to_another_office_is_counted_under_its_new_parent(tree, people):
    from units.services import unit_move

    stats_recompute(periods=[all_time()])
    unit_move(actor=None, unit=tree.s2, new_parent=tree.office_a2)
    stats_recompute(periods=[all_time()])
    assert stat(tree.office_a1).schools == 1 and stat(tree.office_a2).schools == 1
    assert stat(tree.dept_a).schools == 3  # the Department's total did not change


def test_targets_are_inherited_and_checked(tree):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    targets_set(actor=staff, unit=tree.dept_a, values={"photo_ok": "80"})
    targets_set(actor=staff, unit=tree.office_a1, values={"photo_ok": "90"})
    assert effective_targets(unit=tree.s1)["photo_ok"].value == 90
    assert effective_targets(unit=tree.t1)["photo_ok"].value == 80
    assert effective_targets(unit=tree.s3)["photo_ok"].value == 100  # the default from the letters
    with pytest.raises(ValidationError):
        targets_set(actor=staff, unit=tree.dept_a, values={"photo_ok": "120"})
    with pytest.raises(ValidationError):
        targets_set(actor=staff, unit=tree.dept_a, values={"topics_per_group": "-1"})
    assert Target.objects.get(unit=tree.dept_a, metric="photo_ok").value == 80


def test_flags_say_why_a_unit_lags(tree, people):
    stats_recompute(periods=[all_time(), semester_of(timezone.localdate())])
    semester = semester_of(timezone.localdate())
    flags = flags_for(stat(tree.s1, semester), effective_targets(unit=tree.s1), semester)
    text = " | ".join(flags)
    assert "33,3%" in text  # 1 of 3 teachers has a proper photo, written the Vietnamese way
    assert "1 real topics for 2 groups" in text or "1" in text
    assert {f.kind for f in flags} >= {"target", "quality", "declare"}


def test_the_dashboard_shows_only_the_subtree_with_fixed_queries(client, tree, people, django_assert_max_num_queries):
    stats_recompute(periods=[all_time()])
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    url = reverse("reports:dashboard", args=[tree.dept_a.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    titles = [s.title for s in response.context["page"]]
    assert titles[1:] == [tree.office_a1.name, tree.office_a2.name]
    codes = {r.unit.code for s in response.context["page"] for r in s.rows}
    assert codes == {tree.t1.code, tree.s1.code, tree.s2.code}
    assert client.get(reverse("reports:dashboard", args=[tree.dept_b.pk])).status_code == 404
    assert client.get(reverse("reports:dashboard", args=[tree.ministry.pk])).status_code == 404
    client.force_login(make_person(unit=tree.g1, role=Role.TEACHER))
    assert client.get(url).status_code == 404


def test_dashboard_queries_do_not_grow_with_the_number_of_schools(client, tree, django_assert_max_num_queries):
    from units.services import UnitSpec, units_bulk_create

    units_bulk_create(
        actor=None, parent=tree.office_a1,
        specs=[UnitSpec(code=f"MANY-{i}", name=f"THCS số {i}", kind="school", school_level="thcs") for i in range(60)],
    )  # fmt: skip
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reports:dashboard", args=[tree.dept_a.pk]))
    assert sum(len(s.rows) for s in response.context["page"]) == 63


def test_recompute_button_and_targets_page(client, tree, people, django_capture_on_commit_callbacks):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:recompute", args=[tree.dept_a.pk]))
    assert stat(tree.dept_a).teacher_accounts == 4
    response = client.post(
        reverse("reports:targets", args=[tree.dept_a.pk]), {"photo_ok": "150", "topics_per_group": "3"}
    )
    assert response.status_code == 200 and not Target.objects.filter(metric="photo_ok").exists()
    client.post(reverse("reports:targets", args=[tree.dept_a.pk]), {"photo_ok": "95", "topics_per_group": "3"})
    assert Target.objects.get(unit=tree.dept_a, metric="photo_ok").value == 95
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    assert client.get(reverse("reports:targets", args=[tree.s1.pk])).status_code == 404


def test_teacher_activity_by_month(client, tree, people):
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    response = client.get(reverse("reports:activity", args=[tree.s1.pk]))
    rows = {row["teacher"].pk: row for row in response.context["page"]}
    assert rows[people[0].pk]["total"] == 1 and rows[people[1].pk]["total"] == 1
    assert sum(rows[people[0].pk]["counts"]) == 1 and len(response.context["months"]) == 12
    topics = client.get(reverse("reports:topics", args=[tree.s1.pk]))
    assert topics.context["page"].paginator.count == 3


@pytest.mark.django_db
def test_the_ha_nam_table_is_reproduced_on_the_dashboard_and_in_its_export(client, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    call_command("recompute_stats", stdout=StringIO())
    dept = Unit.objects.get(kind="department")
    own, sections = dashboard(unit=dept, period=all_time())
    table = read_participation_table(HA_NAM)
    shown = {(s.title if s.unit else "THPT", r.unit.name): r for s in sections for r in s.rows}
    assert len(shown) == 141
    for row in table.rows:
        key = (
            f"Phòng GDĐT {row.office}" if row.office else "THPT",
            f"Trường {'THPT' if not row.office else 'THCS'} {row.school}",
        )
        figures = shown[key]
        assert (figures.teacher_accounts, figures.student_accounts, figures.teachers_photo_ok, figures.topics) == (
            row.teacher_accounts, row.student_accounts, row.teacher_photo_ok, row.topics_posted,
        ), key  # fmt: skip
        if row.is_impossible:
            flags = flags_for(figures, effective_targets(unit=figures.unit), all_time())
            assert any(f.kind == "data" and "30" in f for f in flags)
    assert (own.teacher_accounts, own.student_accounts, own.teachers_photo_ok, own.topics) == (4447, 43948, 3150, 2979)
    for section in sections:
        assert section.total is None or section.total.teacher_accounts == sum(r.teacher_accounts for r in section.rows)

    out = tmp_path / "hanam.xlsx"
    call_command("export_participation", "--unit", "Sở GDĐT Hà Nam", "--out", str(out), stdout=StringIO())
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    numbered = [r for r in rows if isinstance(r[0], int)]
    assert len(numbered) == 141
    assert sum(r[2] for r in numbered) == 4447 and sum(r[3] for r in numbered) == 43948
    assert sum(r[4] for r in numbered) == 3150 and sum(r[5] for r in numbered) == 2979
    client.force_login(User.objects.get(username="so"))
    response = client.get(reverse("reports:export", args=[dept.pk, "xlsx"]))
    web_rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r for r in web_rows if isinstance(r[0], int)] == numbered
    assert client.get(reverse("reports:export", args=[dept.pk, "csv"])).content.decode("utf-8-sig").count("\n") == 143
    printed = client.get(reverse("reports:print", args=[dept.pk])).content.decode()
    # The page is printed on A4 landscape by its own stylesheet (no inline <style> under the CSP).
    assert "Liên Phong" in printed and "css/print_figures.css" in printed
    assert "size: A4 landscape" in (settings.BASE_DIR / "static" / "css" / "print_figures.css").read_text()


def test_a_school_declares_its_numbers_and_coverage_follows(client, tree, people):
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    client.force_login(admin)
    url = reverse("units:declare", args=[tree.s1.pk])
    response = client.post(url, {"teachers": "-3", "students": "8"})
    assert response.status_code == 200 and response.context["form"].errors["teachers"]
    client.post(url, {"teachers": "5", "students": "8"})
    stats_recompute(periods=[all_time()])
    s1 = stat(tree.s1)
    assert (s1.teacher_coverage, s1.student_coverage) == (60.0, 50.0)  # 3 teacher accounts of 5, 4 students of 8
    assert stat(tree.office_a1).schools_declared == 1
    client.force_login(make_person(unit=tree.g1, role=Role.TEACHER))
    assert client.get(url).status_code == 404


# --- review findings ---------------------------------------------------------------------------------
def test_merging_schools_then_recomputing_one_unit_counts_nobody_twice(tree, people):
    from units.services import unit_merge

    stats_recompute(periods=[all_time()])
    unit_merge(actor=None, source=tree.s2, into=tree.s1)
    stats_recompute(unit=tree.s1, periods=[all_time()])
    incremental = stat(tree.office_a1).teacher_accounts
    stats_recompute(periods=[all_time()])
    # s2's teacher now belongs to s1: counted once, not once more through s2's old rows.
    assert stat(tree.office_a1).teacher_accounts == incremental == 4
    assert not UnitStat.objects.filter(unit=tree.s2).exists()


def test_a_move_recomputed_for_the_school_only_also_fixes_its_old_office(tree, people):
    from units.services import unit_move

    stats_recompute(periods=[all_time()])
    unit_move(actor=None, unit=tree.s1, new_parent=tree.office_a2)
    stats_recompute(unit=Unit.objects.get(pk=tree.s1.pk), periods=[all_time()])
    assert stat(tree.office_a1).teacher_accounts == 1 and stat(tree.office_a2).teacher_accounts == 3


def test_coverage_above_schools_compares_declaring_schools_only(tree, people):
    from units.services import unit_declare_numbers

    unit_declare_numbers(actor=None, unit=tree.s2, teachers=2, students=10)
    stats_recompute(periods=[all_time()])
    office = stat(tree.office_a1)
    assert office.teacher_coverage == 50.0  # s2: 1 teacher of 2; s1 (3 teachers, nothing declared) is left out


@pytest.mark.parametrize(
    "key", ["year:0001-01-01", "semester:9999-12-31", "month:9999-12-15", "nonsense", "month:2026-13-01"]
)
def test_a_garbage_period_falls_back_to_all_time(client, tree, people, key):
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF))
    for url in (
        reverse("reports:dashboard", args=[tree.dept_a.pk]),
        reverse("reports:export", args=[tree.dept_a.pk, "csv"]),
    ):
        assert client.get(url, {"period": key}).status_code == 200


def test_targets_are_saved_all_or_none_and_nan_is_refused(client, tree):
    from units.services import targets_set

    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    for bad in ({"teacher_coverage": "NaN"}, {"teacher_coverage": "150", "photo_ok": "80"}, {"photo_ok": "Infinity"}):
        with pytest.raises(ValidationError):
            targets_set(actor=staff, unit=tree.dept_a, values=bad)
    assert not Target.objects.exists()
    client.force_login(staff)
    response = client.post(
        reverse("reports:targets", args=[tree.dept_a.pk]), {"teacher_coverage": "NaN", "photo_ok": "80"}
    )
    assert response.status_code == 200 and not Target.objects.exists()


def test_the_topic_list_holds_exactly_the_topics_counted(client, tree, people):
    topic(tree.g1, people[0], "Bản nháp chưa đăng").__class__.objects.filter(title="Bản nháp chưa đăng").update(
        status="draft"
    )
    closed = topic(tree.g1, people[0], "Chuyên đề đã đóng")
    Course.objects.filter(pk=closed.pk).update(status="closed")
    stats_recompute(periods=[all_time()])
    client.force_login(make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN))
    listed = client.get(reverse("reports:topics", args=[tree.s1.pk])).context["page"].paginator.count
    assert listed == stat(tree.s1).topics == 4
    activity = client.get(reverse("reports:activity", args=[tree.s1.pk]), {"year": "99999"})
    assert activity.status_code == 200 and "Period(" not in activity.content.decode()


@pytest.mark.django_db
def test_the_demo_province_has_figures_as_soon_as_it_is_seeded(tmp_path):
    from .test_seed import SMALL, seed, write_table

    seed(write_table(tmp_path, SMALL))
    assert UnitStat.objects.filter(unit__kind="department", period_kind="all").get().teacher_accounts == 21
