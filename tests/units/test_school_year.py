"""The school year as an object (issue #15, point 4): the Ministry's years, a Department's adjustment,
which one a unit reads (with the old fixed calendar on an empty database), the periods that read it, and
the pages with their permission matrix."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory, make_person
from units import periods
from units.models import AuditEntry, Role, SchoolYear
from units.selectors import (
    promotion_school_year,
    school_year_for,
    school_year_labelled,
    school_year_today,
)
from units.services import school_year_adjust, school_year_set, school_years_seed


def dates(first: int, **changes) -> dict:
    """A sound year first–first+1: 5 Sep – 31 May, semester 1 until 17 Jan, semester 2 from 18 Jan to 25 May."""
    values = {
        "start": date(first, 9, 5),
        "end": date(first + 1, 5, 31),
        "semester1_start": date(first, 9, 5),
        "semester1_end": date(first + 1, 1, 17),
        "semester2_start": date(first + 1, 1, 18),
        "semester2_end": date(first + 1, 5, 25),
    }
    values.update(changes)
    return values


# Hà Nam's adjustment of 2026-2027: semester 1 ends on 10 January, semester 2 starts the next day.
ADJUSTED = dates(2026, semester1_end=date(2027, 1, 10), semester2_start=date(2027, 1, 11))


def national(first: int, **changes) -> SchoolYear:
    return school_year_set(actor=None, label=f"{first}-{first + 1}", **dates(first, **changes))


def refused(call) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value


# --- Validation -----------------------------------------------------------------------------------------


def test_the_ministry_sets_a_year_and_it_is_audited_at_the_ministry(tree):
    minister = make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF)
    year = school_year_set(actor=minister, label="2026 – 2027", **dates(2026))
    assert (year.label, year.department, year.set_by) == ("2026-2027", None, minister)
    entry = AuditEntry.objects.get(action="school_year.create")
    assert (entry.unit, entry.actor, entry.after["semester1_end"]) == (tree.ministry, minister, "2027-01-17")


@pytest.mark.parametrize(
    ("label", "changes", "field"),
    [
        ("2026-2028", {}, "label"),
        ("năm nay", {}, "label"),
        ("2026-2027", {"start": date(2027, 9, 5), "semester1_start": date(2027, 9, 5)}, "start"),
        ("2026-2027", {"end": date(2026, 12, 31)}, "end"),
        ("2026-2027", {"end": date(2027, 9, 10), "semester2_end": date(2027, 9, 10)}, "end"),
        ("2026-2027", {"semester1_start": date(2026, 9, 1)}, "semester1_start"),
        ("2026-2027", {"semester2_end": date(2027, 6, 15)}, "semester2_end"),
        ("2026-2027", {"semester2_start": date(2027, 1, 10)}, "semester2_start"),
        ("2026-2027", {"semester1_end": date(2026, 9, 1)}, "semester1_end"),
        ("2026-2027", {"semester2_end": date(2027, 1, 1)}, "semester2_end"),
        ("2026-2027", {"semester2_start": None}, "semester2_start"),
    ],
)
def test_dates_out_of_order_are_refused_at_their_field_and_nothing_is_saved(tree, label, changes, field):
    exc = refused(lambda: school_year_set(actor=None, label=label, **dates(2026, **changes)))
    assert field in exc.message_dict
    assert not SchoolYear.objects.exists() and not AuditEntry.objects.filter(action__startswith="school_year").exists()


def test_the_messages_are_vietnamese(tree):
    wrong = dates(2026, semester2_start=date(2027, 1, 10))
    exc = refused(lambda: school_year_set(actor=None, label="2026-2027", **wrong))
    assert exc.message_dict["semester2_start"] == ["Học kỳ II phải bắt đầu sau khi học kỳ I kết thúc (17/01/2027)."]


def test_a_year_may_not_overlap_another_nor_be_entered_twice(tree, in_english):
    national(2026)
    early = {"start": date(2027, 5, 30), "end": date(2028, 5, 20), "semester2_end": date(2028, 5, 15)}
    exc = refused(lambda: national(2027, **early))
    assert "overlap the school year 2026–2027 (05/09/2026 – 31/05/2027)" in exc.message_dict["start"][0]
    exc = refused(lambda: national(2026))
    assert "already exists" in exc.message_dict["label"][0]
    assert SchoolYear.objects.count() == 1


def test_changing_a_year_audits_what_changed(tree):
    year = national(2026)
    school_year_set(actor=None, year=year, label="2026-2027", **dates(2026, semester1_end=date(2027, 1, 10)))
    year.refresh_from_db()
    assert year.semester1_end == date(2027, 1, 10)
    entry = AuditEntry.objects.get(action="school_year.update")
    assert entry.before == {"semester1_end": "2027-01-17"}
    assert entry.after == {"label": "2026-2027", "semester1_end": "2027-01-10"}
    # The same dates again change nothing and write no entry.
    school_year_set(actor=None, year=year, label="2026-2027", **dates(2026, semester1_end=date(2027, 1, 10)))
    assert AuditEntry.objects.filter(action="school_year.update").count() == 1


def test_a_department_adjusts_only_a_year_the_ministry_set_and_only_for_itself(tree, in_english):
    exc = refused(lambda: school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **dates(2026)))
    assert "has not set the school year 2026-2027" in exc.message_dict["label"][0]
    national(2026)
    exc = refused(lambda: school_year_adjust(actor=None, department=tree.office_a1, label="2026-2027", **dates(2026)))
    assert "Only a Department" in exc.messages[0]
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    own = school_year_adjust(
        actor=staff, department=tree.dept_a, label="2026-2027", **dates(2026, semester1_end=date(2027, 1, 10))
    )
    again = school_year_adjust(
        actor=staff, department=tree.dept_a, label="2026-2027", **dates(2026, semester1_end=date(2027, 1, 12))
    )
    assert own.pk == again.pk and again.department == tree.dept_a
    assert list(AuditEntry.objects.filter(action="school_year.adjust").values_list("unit", flat=True)) == [
        tree.dept_a.pk,
        tree.dept_a.pk,
    ]


def test_an_adjustment_may_not_overlap_the_provinces_other_years(tree, in_english):
    national(2026)
    national(2027)
    exc = refused(
        lambda: school_year_adjust(
            actor=None,
            department=tree.dept_a,
            label="2027-2028",
            **dates(2027, start=date(2027, 5, 30), end=date(2028, 5, 20), semester2_end=date(2028, 5, 15)),
        )
    )
    assert "2026–2027" in exc.message_dict["start"][0]
    # Once the province moved 2026-2027's end, the Ministry may not move 2027-2028 over it.
    school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **dates(2026, end=date(2027, 8, 20)))
    year = SchoolYear.objects.get(label="2027-2028")
    exc = refused(
        lambda: school_year_set(
            actor=None,
            year=year,
            label="2027-2028",
            **dates(2027, start=date(2027, 8, 1), semester1_start=date(2027, 8, 1)),
        )
    )
    assert "as Sở GDĐT Hà Nam adjusted it" in exc.message_dict["start"][0]
    assert SchoolYear.objects.get(pk=year.pk).start == date(2027, 9, 5)


# --- Which year a unit reads ------------------------------------------------------------------------------


def test_an_empty_database_keeps_the_fixed_calendar(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        year = school_year_for(tree.c1, date(2026, 12, 6))
    assert (year.label, year.start, year.end) == ("2026-2027", date(2026, 9, 1), date(2027, 8, 31))
    assert year.source == "default"
    assert year.semesters == ((date(2026, 9, 1), date(2027, 1, 15)), (date(2027, 1, 16), date(2027, 8, 31)))
    assert periods.school_year_of(date(2027, 3, 1)) == periods.Period("year", date(2026, 9, 1), date(2027, 8, 31))
    assert periods.semester_of(date(2027, 1, 15)) == periods.Period("semester", date(2026, 9, 1), date(2027, 1, 15))
    assert periods.semester_of(date(2027, 1, 16)) == periods.Period("semester", date(2027, 1, 16), date(2027, 8, 31))
    assert periods.parse("semester:2026-09-01").label == "Học kỳ 1, năm học 2026–2027"


def test_a_unit_reads_its_departments_adjustment_else_the_ministrys_year(tree):
    national(2026)
    school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **ADJUSTED)
    day = date(2027, 1, 12)
    for unit in (tree.dept_a, tree.office_a1, tree.s1, tree.c1, tree.g1, tree.t1):
        assert (school_year_for(unit, day).source, school_year_for(unit, day).semester_number(day)) == ("department", 2)
    for unit in (None, tree.ministry, tree.dept_b, tree.s3):
        assert (school_year_for(unit, day).source, school_year_for(unit, day).semester_number(day)) == ("national", 1)


def test_the_summer_belongs_to_the_year_before_and_the_fallback_never_overlaps_a_year(tree):
    national(2026)
    summer = school_year_for(tree.s1, date(2027, 7, 15))
    assert (summer.label, summer.source) == ("2026-2027", "national")
    # Before the first year entered: the fixed calendar, ending the day before it.
    before = school_year_for(tree.s1, date(2026, 9, 3))
    assert (before.label, before.start, before.end) == ("2025-2026", date(2025, 9, 1), date(2026, 9, 4))
    # Long after the last year entered: the fixed calendar again.
    later = school_year_for(tree.s1, date(2028, 10, 1))
    assert (later.label, later.source) == ("2028-2029", "default")
    assert school_year_labelled(2026, tree.s1).start == date(2026, 9, 5)
    assert school_year_labelled(2030, tree.s1).start == date(2030, 9, 1)


# --- The periods read it -------------------------------------------------------------------------------------


def test_periods_follow_the_year_a_unit_reads(tree):
    national(2026)
    school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **ADJUSTED)
    day = date(2027, 1, 12)
    assert periods.semester_of(day, tree.s1) == periods.Period("semester", date(2027, 1, 11), date(2027, 5, 25))
    assert periods.semester_of(day, tree.s3) == periods.Period("semester", date(2026, 9, 5), date(2027, 1, 17))
    assert periods.semester_of(day) == periods.Period("semester", date(2026, 9, 5), date(2027, 1, 17))
    assert periods.semester_of(day, tree.s1).label == "Học kỳ 2, năm học 2026–2027"
    _all_time, year, semester, *months = periods.current_periods(day)
    assert (year.key, semester.key, len(months)) == ("year:2026-09-05", "semester:2026-09-05", 12)
    assert periods.current_periods(day, unit=tree.s1)[2].key == "semester:2027-01-11"
    # A period's key reads back the same period.
    assert periods.parse(semester.key) == semester and periods.parse("year:2026-09-05") == year
    assert periods.parse("semester:2027-01-18").label == "Học kỳ 2, năm học 2026–2027"


def test_promotion_moves_a_class_into_the_next_year_from_semester_2_on(tree):
    national(2026)
    national(2027)
    assert promotion_school_year(tree.c1, date(2027, 5, 20)).start == date(2027, 9, 5)
    assert promotion_school_year(tree.c1, date(2027, 7, 1)).label == "2027-2028"
    assert promotion_school_year(tree.c1, date(2027, 9, 10)).label == "2027-2028"


def test_the_demo_seed_enters_this_year_and_the_next_once(tree):
    made = school_years_seed(actor=None, today=date(2026, 12, 6))
    assert [y.label for y in made] == ["2026-2027", "2027-2028"]
    assert school_years_seed(actor=None, today=date(2026, 12, 6)) == []
    assert school_year_for(tree.s1, date(2026, 12, 6)).source == "national"


# --- Pages and who may use them ---------------------------------------------------------------------------


def _this_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def _covering_year(first: int, **changes) -> dict:
    """A year around today: 1 Sep – 31 Aug, semester 1 until 20 January, semester 2 until 31 May."""
    values = dates(
        first,
        start=date(first, 9, 1),
        end=date(first + 1, 8, 31),
        semester1_start=date(first, 9, 1),
        semester1_end=date(first + 1, 1, 20),
        semester2_start=date(first + 1, 1, 21),
    )
    return values | changes


def _form(values: dict, label: str | None = None) -> dict:
    data = {name: day.isoformat() if day else "" for name, day in values.items()}
    if label is not None:
        data["label"] = label
    return data


def test_the_unit_space_shows_the_year_its_department_reads(client, tree):
    first = _this_year()
    school_year_set(actor=None, label=f"{first}-{first + 1}", **_covering_year(first))
    school_year_adjust(
        actor=None,
        department=tree.dept_a,
        label=f"{first}-{first + 1}",
        **_covering_year(
            first,
            semester1_end=date(first + 1, 1, 10),
            semester2_start=date(first + 1, 1, 11),
            semester2_end=date(first + 1, 5, 20),
        ),
    )
    client.force_login(make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF))
    for unit in (tree.s1, tree.s3):
        today = school_year_today(unit)
        page = client.get(reverse("units:space", args=[unit.pk])).content.decode()
        roman = "I" if today.semester == 1 else "II"
        expected = f"Năm học {first}–{first + 1}, học kỳ {roman} đến {today.semester_end:%d/%m/%Y}"
        assert expected in page
    assert school_year_today(tree.s1).semester_end != school_year_today(tree.s3).semester_end


def test_an_empty_database_says_the_usual_calendar_holds(client, tree):
    client.force_login(make_person(unit=tree.s1, role=Role.PRINCIPAL))
    page = client.get(reverse("units:space", args=[tree.s1.pk])).content.decode()
    assert f"Năm học {_this_year()}–{_this_year() + 1}" in page
    assert 'data-testid="school-years-link"' not in page and 'data-testid="school-years-adjust-link"' not in page


def test_the_ministry_lists_creates_and_changes_school_years(client, tree):
    minister = make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF)
    client.force_login(minister)
    space = client.get(reverse("units:space", args=[tree.ministry.pk])).content.decode()
    assert 'data-testid="school-years-link"' in space
    empty = client.get(reverse("units:school_years")).content.decode()
    assert 'data-testid="school-years-empty"' in empty
    response = client.post(reverse("units:school_year_create"), _form(dates(2026), "2026-2027"))
    assert response.status_code == 302 and response.url == reverse("units:school_years")
    year = SchoolYear.objects.get()
    listed = client.get(reverse("units:school_years")).content.decode()
    assert "2026-2027" in listed and "17/01/2027" in listed
    # A wrong date is refused next to its field, in Vietnamese, and nothing changes.
    bad = _form(dates(2026, semester2_start=date(2027, 1, 10)), "2026-2027")
    response = client.post(reverse("units:school_year_edit", args=[year.pk]), bad)
    assert response.status_code == 200
    assert "Học kỳ II phải bắt đầu sau khi học kỳ I kết thúc" in response.content.decode()
    assert SchoolYear.objects.get().semester2_start == date(2027, 1, 18)
    good = _form(dates(2026, semester1_end=date(2027, 1, 10), semester2_start=date(2027, 1, 11)), "2026-2027")
    assert client.post(reverse("units:school_year_edit", args=[year.pk]), good).status_code == 302
    assert SchoolYear.objects.get().semester2_start == date(2027, 1, 11)
    unreadable = _form(dates(2027), "2027-2028") | {"start": "5 tháng 9"}
    response = client.post(reverse("units:school_year_create"), unreadable)
    assert response.status_code == 200 and SchoolYear.objects.count() == 1


@pytest.mark.parametrize(
    ("where", "role"),
    [
        ("dept_a", Role.DEPARTMENT_STAFF),
        ("office_a1", Role.OFFICE_STAFF),
        ("s1", Role.PRINCIPAL),
        ("s1", Role.SCHOOL_ADMIN),
        ("g1", Role.TEACHER),
        ("c1", Role.STUDENT),
    ],
)
def test_only_the_ministry_uses_the_school_years_pages(client, tree, where, role):
    year = national(2026)
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("units:school_years")).status_code == 403
    assert client.get(reverse("units:school_year_create")).status_code == 403
    assert client.post(reverse("units:school_year_create"), _form(dates(2027), "2027-2028")).status_code == 403
    changed = _form(dates(2026, end=date(2027, 6, 30)), "2026-2027")
    assert client.post(reverse("units:school_year_edit", args=[year.pk]), changed).status_code == 403
    assert list(SchoolYear.objects.values_list("label", "end")) == [("2026-2027", date(2027, 5, 31))]


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    year = national(2026)
    for url in (
        reverse("units:school_years"),
        reverse("units:school_year_edit", args=[year.pk]),
        reverse("units:school_years_department", args=[tree.dept_a.pk]),
    ):
        assert client.get(url).status_code == 302


def test_a_department_adjusts_the_year_for_its_province(client, tree):
    year = national(2026)
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    assert (
        'data-testid="school-years-adjust-link"'
        in client.get(reverse("units:space", args=[tree.dept_a.pk])).content.decode()
    )
    page = client.get(reverse("units:school_years_department", args=[tree.dept_a.pk])).content.decode()
    assert "2026-2027" in page and "Như Bộ đã đặt" in page
    url = reverse("units:school_year_adjust", args=[tree.dept_a.pk, year.pk])
    form = client.get(url).content.decode()
    assert "2027-01-17" in form  # the Ministry's dates to start from
    bad = _form(dates(2026, semester1_start=date(2026, 8, 1)))
    response = client.post(url, bad)
    assert response.status_code == 200 and not SchoolYear.objects.filter(department=tree.dept_a).exists()
    assert "Học kỳ I phải bắt đầu trong năm học" in response.content.decode()
    response = client.post(url, _form(dates(2026, semester1_end=date(2027, 1, 10), semester2_start=date(2027, 1, 11))))
    assert response.status_code == 302
    own = SchoolYear.objects.get(department=tree.dept_a)
    assert (own.label, own.semester1_end, own.set_by) == ("2026-2027", date(2027, 1, 10), staff)
    assert "10/01/2027" in client.get(reverse("units:school_years_department", args=[tree.dept_a.pk])).content.decode()


@pytest.mark.parametrize(
    ("where", "role", "status"),
    [
        ("dept_b", Role.DEPARTMENT_STAFF, 404),  # another province
        ("ministry", Role.MINISTRY_STAFF, 403),  # sees the Department, leaves its calendar to it
        ("office_a1", Role.OFFICE_STAFF, 404),
        ("t1", Role.PRINCIPAL, 404),
        ("g1", Role.TEACHER, 404),
        ("c1", Role.STUDENT, 404),
    ],
)
def test_no_one_else_adjusts_a_provinces_year(client, tree, where, role, status):
    year = national(2026)
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("units:school_years_department", args=[tree.dept_a.pk])).status_code == status
    url = reverse("units:school_year_adjust", args=[tree.dept_a.pk, year.pk])
    assert client.post(url, _form(dates(2026, semester1_end=date(2027, 1, 10)))).status_code == status
    assert not SchoolYear.objects.filter(department__isnull=False).exists()


def test_the_adjust_page_is_only_for_a_department_and_a_national_year(client, tree):
    year = national(2026)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("units:school_years_department", args=[tree.office_a1.pk])).status_code == 404
    own = school_year_adjust(actor=None, department=tree.dept_a, label="2026-2027", **dates(2026))
    assert client.get(reverse("units:school_year_adjust", args=[tree.dept_a.pk, own.pk])).status_code == 404
    assert client.get(reverse("units:school_year_adjust", args=[tree.dept_a.pk, year.pk])).status_code == 200
    assert client.get(reverse("units:school_year_edit", args=[own.pk])).status_code == 404


def test_a_groups_semester_reads_its_provinces_year(client, tree):
    first = _this_year()
    school_year_set(actor=None, label=f"{first}-{first + 1}", **_covering_year(first))
    school_year_adjust(
        actor=None,
        department=tree.dept_a,
        label=f"{first}-{first + 1}",
        **_covering_year(
            first,
            semester1_end=date(first + 1, 1, 10),
            semester2_start=date(first + 1, 1, 11),
            semester2_end=date(first + 1, 5, 20),
        ),
    )
    client.force_login(make_person(unit=tree.g1, role=Role.GROUP_LEADER))
    semester = client.get(reverse("courses:group_space", args=[tree.g1.pk])).context["semester"]
    assert semester == periods.semester_of(timezone.localdate(), tree.s1)
    assert semester.end in (date(first + 1, 1, 10), date(first + 1, 5, 20))


def test_the_promotion_page_names_the_year_the_class_moves_into(client, tree):
    first = _this_year()
    school_year_set(
        actor=None,
        label=f"{first + 1}-{first + 2}",
        **dates(first + 1, start=date(first + 1, 9, 7), semester1_start=date(first + 1, 9, 7)),
    )
    client.force_login(make_person(unit=tree.s1, role=Role.PRINCIPAL))
    page = client.get(reverse("accounts:class_promote", args=[tree.c1.pk])).content.decode()
    expected = promotion_school_year(tree.c1)
    assert f"năm học {expected.label_text}, bắt đầu ngày {expected.start:%d/%m/%Y}" in page
    if timezone.localdate() >= school_year_for(tree.c1).semesters[1][0]:
        assert expected.start == date(first + 1, 9, 7)
