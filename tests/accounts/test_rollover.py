"""The year-end rollover of a school (issue #15, point 5 and 8b): preview, apply all or nothing, refusals,
undo until the first new activity, graduates out of the active counts, the command, the pages."""

from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.models import AccountQuota, Rollover, User
from accounts.services import rollover as service
from accounts.services.quotas import quota_usage
from accounts.services.rollover import rollover_apply, rollover_new_activity, rollover_preview, rollover_undo
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units.models import AuditEntry, Role, Unit
from units.rollover import rollover_school_years, rollover_years
from units.services import audit_log, school_year_adjust, school_year_set

K = Unit.Kind
TODAY = date(2026, 6, 15)


@pytest.fixture
def world(tree):
    """School S1 (THCS, grades 6–9): 6A1 and 7A1 from the tree, 8A1 and 9A1 added; two students each,
    a homeroom teacher for 7A1, a principal and a school admin."""
    s1 = tree.s1
    c8 = make_unit(s1, K.CLASS, "8A1", grade=8)
    c9 = make_unit(s1, K.CLASS, "9A1", grade=9)
    classes = {"6A1": tree.c1, "7A1": tree.c2, "8A1": c8, "9A1": c9}
    students = {name: [make_person(unit=unit, role=Role.STUDENT) for _ in range(2)] for name, unit in classes.items()}
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    Unit.objects.filter(pk=tree.c2.pk).update(homeroom_teacher=teacher)
    principal = make_person(unit=s1, role=Role.PRINCIPAL, account_type="teacher")
    admin = make_person(unit=s1, role=Role.SCHOOL_ADMIN, account_type="teacher")
    AccountQuota.objects.create(school=s1, teachers=10, students=8)
    return SimpleNamespace(
        tree=tree, school=s1, classes=classes, students=students, teacher=teacher, principal=principal, admin=admin
    )


def _names(school):
    return sorted(Unit.objects.children(school, kinds=[K.CLASS]).filter(is_active=True).values_list("name", "grade"))


def _plan(world, intake=("6A1", "6A2"), leavers=()):
    plan = rollover_preview(school=world.school, today=TODAY)
    plan.intake = list(intake)
    plan.leaver_ids = [u.pk for u in leavers]
    return plan


def _snapshot(world):
    units = list(Unit.objects.below(world.school).values_list("pk", "name", "grade", "is_active"))
    users = list(User.objects.order_by("pk").values_list("pk", "is_active", "graduated_at"))
    return units, users, Rollover.objects.count()


@pytest.mark.django_db  # the school year is read from the SchoolYear rows (none here: the fixed calendar)
def test_years_follow_the_school_year():
    assert rollover_years(date(2026, 6, 15)) == ("2025-2026", "2026-2027")
    assert rollover_years(date(2026, 9, 10)) == ("2025-2026", "2026-2027")  # a late one, in semester 1
    # As a class's promotion: semester 1 (to 15 January here) is still a late rollover into the running
    # year; from semester 2 on, the year ends and the next one opens.
    assert rollover_years(date(2027, 1, 5)) == ("2025-2026", "2026-2027")
    assert rollover_years(date(2027, 1, 20)) == ("2026-2027", "2027-2028")


def test_preview_proposes_names_graduates_and_intake_grade(world):
    plan = rollover_preview(school=world.school, today=TODAY)
    assert (plan.from_year, plan.to_year) == ("2025-2026", "2026-2027")
    proposed = {m.name: (m.new_name, m.graduates, m.students) for m in plan.classes.moves}
    assert proposed == {
        "9A1": ("", True, 2),
        "8A1": ("9A1", False, 2),
        "7A1": ("8A1", False, 2),
        "6A1": ("7A1", False, 2),
    }
    assert plan.graduates == 2 and plan.classes.first_grade == 6 and plan.done is None
    assert _names(world.school) == [("6A1", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]  # nothing changed


def test_apply_promotes_graduates_creates_intake_and_deactivates_leavers(world):
    leaver = world.students["7A1"][0]
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world, leavers=[leaver]))
    assert _names(world.school) == [("6A1", 6), ("6A2", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]
    # The old 9A1 is closed, not deleted; the old 7A1 (now 8A1) keeps its homeroom teacher and students.
    assert not Unit.objects.get(pk=world.classes["9A1"].pk).is_active
    old_7a1 = Unit.objects.get(pk=world.classes["7A1"].pk)
    assert (old_7a1.name, old_7a1.grade, old_7a1.homeroom_teacher_id) == ("8A1", 8, world.teacher.pk)
    for graduate in world.students["9A1"]:
        graduate.refresh_from_db()
        assert graduate.is_active and graduate.graduated_at is not None
    leaver.refresh_from_db()
    assert not leaver.is_active and leaver.deactivated_reason == str(service.LEFT_REASON)
    assert rollover.summary == {"promoted": 3, "created": 2, "closed": 1, "graduated": 2, "left": 1}
    assert (rollover.from_year, rollover.to_year, rollover.applied_by) == ("2025-2026", "2026-2027", world.admin)
    assert (rollover.from_school_year, rollover.to_school_year) == (None, None)  # no SchoolYear row: fixed calendar
    assert AuditEntry.objects.filter(action="rollover.apply", unit=world.school).count() == 1
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_graduates_are_out_of_the_active_counts(world):
    assert quota_usage(school=world.school)["student"]["used"] == 8
    rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert quota_usage(school=world.school)["student"]["used"] == 6


def test_a_graduate_may_read_but_not_write(world, client):
    rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    client.force_login(world.students["9A1"][0])
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.post(reverse("accounts:profile_edit"), {"email": "x@y.vn"}).status_code == 403


def test_run_twice_for_the_same_year_is_refused(world, in_english):
    rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    before = _snapshot(world)
    with pytest.raises(ValidationError, match="already rolled over to the school year 2026-2027"):
        rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert _snapshot(world) == before


@pytest.mark.parametrize(
    ("rename", "intake", "field", "message"),
    [
        ({"6A1": "8A1"}, [], "class_", "Two classes would be named 8A1"),
        ({}, ["9a1"], "intake", "has the name of another class"),
        ({"6A1": ""}, [], "class_", "no next grade in its name"),
        ({"6A1": "=HYPERLINK(1)"}, [], "class_", ""),
    ],
)
def test_bad_names_are_refused_and_change_nothing(world, in_english, rename, intake, field, message):
    plan = _plan(world, intake=intake)
    by_name = {m.name: m.class_id for m in plan.classes.moves}
    plan.rename({by_name[old]: new for old, new in rename.items()})
    before = _snapshot(world)
    with pytest.raises(ValidationError) as caught:
        rollover_apply(actor=world.admin, school=world.school, plan=plan)
    assert any(key.startswith(field) for key in caught.value.message_dict)
    assert message in " ".join(caught.value.messages)
    assert _snapshot(world) == before


def test_a_class_whose_name_shows_no_grade_must_be_given_one(world, in_english):
    odd = make_unit(world.school, K.CLASS, "Lớp Chồi", grade=7)
    plan = _plan(world)
    assert next(m for m in plan.classes.moves if m.class_id == odd.pk).new_name == ""
    with pytest.raises(ValidationError, match="no next grade in its name"):
        rollover_apply(actor=world.admin, school=world.school, plan=plan)
    plan.rename({odd.pk: "Lớp Chồi 8"})
    rollover_apply(actor=world.admin, school=world.school, plan=plan)
    assert Unit.objects.get(pk=odd.pk).grade == 8


def test_leavers_must_be_students_of_classes_moving_up(world, in_english):
    before = _snapshot(world)
    for bad in (world.students["9A1"][0], world.teacher):
        with pytest.raises(ValidationError, match="can be marked as leaving"):
            rollover_apply(actor=world.admin, school=world.school, plan=_plan(world, leavers=[bad]))
    assert _snapshot(world) == before


def test_classes_changed_since_preview_are_refused(world, in_english):
    plan = _plan(world)
    make_unit(world.school, K.CLASS, "7A2", grade=7)
    with pytest.raises(ValidationError, match="changed since the preview"):
        rollover_apply(actor=world.admin, school=world.school, plan=plan)


def test_all_or_nothing_when_a_late_step_fails(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "membership_changed", broken)
    before = _snapshot(world)
    with pytest.raises(RuntimeError):
        rollover_apply(actor=world.admin, school=world.school, plan=_plan(world, leavers=[world.students["6A1"][0]]))
    assert _snapshot(world) == before


def test_an_empty_intake_is_allowed(world):
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world, intake=()))
    assert rollover.summary["created"] == 0
    assert _names(world.school) == [("7A1", 7), ("8A1", 8), ("9A1", 9)]


def test_undo_puts_everything_back_and_allows_a_new_run(world):
    before = _snapshot(world)[:2]
    leaver = world.students["6A1"][1]
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world, leavers=[leaver]))
    assert rollover_new_activity(rollover) == []
    rollover_undo(actor=world.admin, rollover=rollover)
    units, users, _count = _snapshot(world)
    created = set(rollover.undo_data["created"])
    # The intake classes stay, closed (units are never deleted); everything else is as it was.
    assert [u for u in units if u[0] not in created] == before[0]
    assert all(not u[3] for u in units if u[0] in created)
    assert users == before[1]
    rollover.refresh_from_db()
    assert rollover.undone_at is not None
    again = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert again.summary["promoted"] == 3
    assert _names(world.school) == [("6A1", 6), ("6A2", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]


def test_undo_is_refused_after_new_activity(world, in_english):
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    # Any audited change inside the school after the rollover is activity (here a role given).
    make_person(unit=world.tree.g2, role=Role.TEACHER)
    assert rollover_new_activity(rollover)
    before = _snapshot(world)
    with pytest.raises(ValidationError, match="can no longer be undone"):
        rollover_undo(actor=world.admin, rollover=rollover)
    assert _snapshot(world) == before


def test_activity_elsewhere_does_not_block_undo(world):
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    audit_log(actor=None, action="unit.rename", unit=world.tree.s2)
    assert rollover_new_activity(rollover) == []


def test_queries_do_not_grow_with_the_classes(tree, django_assert_max_num_queries):
    def school_with(n, code):
        school = make_unit(tree.office_a1, K.SCHOOL, f"Trường {code}", school_level="thcs", code=code)
        for i in range(n):
            unit = make_unit(school, K.CLASS, f"{9 - i % 4}A{i + 1}", grade=9 - i % 4)
            for _ in range(3):
                make_person(unit=unit, role=Role.STUDENT, home=school)
        leaver = make_person(unit=unit, role=Role.STUDENT, home=school)
        return school, leaver

    for model in (User, Unit, Rollover):  # the content types are cached per process: warm them first
        ContentType.objects.get_for_model(model)
    counts = []
    for n, code in ((2, "SMALL"), (6, "LARGE")):
        school, leaver = school_with(n, code)
        plan = rollover_preview(school=school, today=TODAY)
        plan.intake = ["6B1", "6B2"]
        plan.leaver_ids = [leaver.pk]
        with django_assert_max_num_queries(40) as captured:
            rollover_apply(actor=None, school=school, plan=plan)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_command_prints_the_preview_and_applies_with_apply(world):
    out = StringIO()
    call_command("rollover", "--school", world.school.code, stdout=out)
    text = out.getvalue()
    assert "8A1 → 9A1" in text and "9A1" in text and Rollover.objects.count() == 0
    assert _names(world.school) == [("6A1", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]
    call_command("rollover", "--school", world.school.code, "--apply", "--intake", "6A1,6A2", stdout=StringIO())
    assert Rollover.objects.filter(school=world.school, undone_at__isnull=True).count() == 1
    assert _names(world.school) == [("6A1", 6), ("6A2", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]
    with pytest.raises(CommandError):
        call_command("rollover", "--school", world.school.code, "--apply", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("rollover", "--school", "NO-SUCH-CODE", stdout=StringIO())


# --- The pages -------------------------------------------------------------------------------------


def _form_data(world, **extra):
    plan = rollover_preview(school=world.school)
    data = {f"class_{m.class_id}": m.new_name for m in plan.classes.promoted}
    data.update({"intake": "6A1, 6A2", "confirm": "on"})
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [("principal", 200), ("admin", 200), ("teacher", 403), ("student", 403), ("office", 403), ("stranger", 404)],
)
def test_wizard_permission_matrix(world, client, who, status):
    people = {
        "principal": world.principal,
        "admin": world.admin,
        "teacher": world.teacher,
        "student": world.students["6A1"][0],
        "office": make_person(unit=world.tree.office_a1, role=Role.OFFICE_STAFF),
        "stranger": make_person(unit=world.tree.s2, role=Role.PRINCIPAL, account_type="teacher"),
    }
    client.force_login(people[who])
    url = reverse("accounts:rollover", args=[world.school.pk])
    assert client.get(url).status_code == status
    before = _snapshot(world)
    response = client.post(url, _form_data(world))
    if status == 200:
        assert response.status_code == 302
        assert Rollover.objects.filter(school=world.school).count() == 1
    else:
        assert response.status_code == status
        assert _snapshot(world) == before


def test_wizard_preview_apply_and_undo(world, client, english_pages):
    client.force_login(world.principal)
    url = reverse("accounts:rollover", args=[world.school.pk])
    page = client.get(url).content.decode()
    assert 'value="9A1"' in page and "Graduates: the class closes" in page
    leaver = world.students["7A1"][1]
    response = client.post(url, _form_data(world, leavers=[str(leaver.pk)]), follow=True)
    assert "has rolled over to the school year" in response.content.decode()
    assert _names(world.school) == [("6A1", 6), ("6A2", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]
    leaver.refresh_from_db()
    assert not leaver.is_active
    rollover = Rollover.objects.get(school=world.school)
    response = client.post(reverse("accounts:rollover_undo", args=[rollover.pk]), follow=True)
    assert "The rollover was undone" in response.content.decode()
    assert _names(world.school) == [("6A1", 6), ("7A1", 7), ("8A1", 8), ("9A1", 9)]


def test_wizard_shows_a_clash_and_changes_nothing(world, client, english_pages):
    client.force_login(world.admin)
    before = _snapshot(world)
    plan = rollover_preview(school=world.school)
    six = next(m for m in plan.classes.moves if m.name == "6A1")
    response = client.post(
        reverse("accounts:rollover", args=[world.school.pk]), _form_data(world, **{f"class_{six.class_id}": "8A1"})
    )
    assert response.status_code == 200
    assert "Two classes would be named 8A1" in response.content.decode()
    assert _snapshot(world) == before


def test_undo_refused_to_others(world, client):
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    client.force_login(make_person(unit=world.tree.s2, role=Role.PRINCIPAL, account_type="teacher"))
    assert client.post(reverse("accounts:rollover_undo", args=[rollover.pk])).status_code == 404
    client.force_login(world.teacher)
    assert client.post(reverse("accounts:rollover_undo", args=[rollover.pk])).status_code == 403
    rollover.refresh_from_db()
    assert rollover.undone_at is None


def test_department_sees_which_schools_rolled_over(world, client, english_pages):
    rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    url = reverse("reports:rollovers", args=[world.tree.dept_a.pk])
    client.force_login(make_person(unit=world.tree.dept_a, role=Role.DEPARTMENT_STAFF))
    page = client.get(url).content.decode()
    # Dept A has three schools (T1, S1, S2): S1 rolled over, with its counts and a link.
    assert "1 of 3 schools have rolled over." in page
    assert reverse("units:space", args=[world.school.pk]) in page and "Not rolled over yet" in page
    for outsider in (
        make_person(unit=world.tree.dept_b, role=Role.DEPARTMENT_STAFF),
        world.principal,
        world.teacher,
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_graduates_leave_the_school_s_people_counts(world, client):
    from units.selectors import people_counts

    assert people_counts(unit=world.school, user_model=User)["student"] == 8
    rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert people_counts(unit=world.school, user_model=User)["student"] == 6


def test_a_new_enrolment_after_the_rollover_is_new_activity(world, in_english):
    from tests.courses.factories import enrol, make_course

    course = make_course(unit=world.school)  # made directly: no audit entry
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert rollover_new_activity(rollover) == []
    enrol(course=course, user=world.students["7A1"][0])
    assert rollover_new_activity(rollover) == ["new enrolments"]
    with pytest.raises(ValidationError, match="new enrolments"):
        rollover_undo(actor=world.admin, rollover=rollover)


# --- The school years it closes and opens (SchoolYear rows) --------------------------------------------
# The years closed and opened are the SchoolYear rows the school reads (the Ministry's, or its
# Department's adjustment); while the year to open is not set, the preview says so and the apply is
# refused, nothing changed; the Rollover keeps the rows; `manage.py rollover` prints them.


def dates(first: int, **changes) -> dict:
    values = {
        "start": date(first, 9, 5),
        "end": date(first + 1, 5, 31),
        "semester1_start": date(first, 9, 5),
        "semester1_end": date(first + 1, 1, 17),
        "semester2_start": date(first + 1, 1, 18),
        "semester2_end": date(first + 1, 5, 25),
    }
    return {**values, **changes}


def national(first: int, **changes):
    return school_year_set(actor=None, label=f"{first}-{first + 1}", **dates(first, **changes))


@pytest.fixture
def on_today(monkeypatch):
    """The pages and the command read the years of TODAY (a June day), whatever day the tests run."""
    monkeypatch.setattr(
        service, "rollover_school_years", lambda school, today=None: rollover_school_years(school, today or TODAY)
    )


@pytest.fixture
def only_this_year(db):
    """The Ministry has set 2025-2026, not yet 2026-2027."""
    return national(2025)


@pytest.fixture
def both_years(db):
    return national(2025), national(2026)


def test_the_rollover_closes_the_current_row_and_opens_the_next(world, both_years):
    closing, opening = both_years
    years = rollover_school_years(world.school, TODAY)
    assert (years.closing.row_id, years.opening.row_id, years.not_set) == (closing.pk, opening.pk, "")
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert (rollover.from_school_year, rollover.to_school_year) == (closing, opening)
    assert (rollover.from_year, rollover.to_year) == ("2025-2026", "2026-2027")


def test_the_department_s_adjustment_is_the_year_opened(world, both_years):
    adjusted = school_year_adjust(
        actor=None, department=world.tree.dept_a, label="2026-2027", **dates(2026, start=date(2026, 9, 1),
                                                                             semester1_start=date(2026, 9, 1))
    )  # fmt: skip
    rollover = rollover_apply(actor=world.admin, school=world.school, plan=_plan(world))
    assert rollover.to_school_year == adjusted and rollover.from_school_year == both_years[0]
    # Another province still reads the Ministry's row.
    other = rollover_school_years(world.tree.s3, TODAY)
    assert other.opening.row_id == both_years[1].pk


def test_a_late_rollover_in_semester_1_opens_the_running_year(world, both_years):
    years = rollover_school_years(world.school, date(2026, 10, 1))
    assert (years.closing.row_id, years.opening.row_id) == (both_years[0].pk, both_years[1].pk)
    # From semester 2 on, the year after, which is not set yet.
    later = rollover_school_years(world.school, date(2027, 2, 1))
    assert (later.from_year, later.to_year, later.opening) == ("2026-2027", "2027-2028", None)


def test_without_the_next_year_the_preview_says_so_and_the_apply_changes_nothing(world, only_this_year, in_english):
    plan = _plan(world)
    assert (plan.from_year, plan.to_year) == ("2025-2026", "2026-2027")
    assert "The school year 2026–2027 has not been set yet" in plan.not_ready
    before = _snapshot(world)
    with pytest.raises(ValidationError, match="has not been set yet"):
        rollover_apply(actor=world.admin, school=world.school, plan=plan)
    assert _snapshot(world) == before
    # The national calendar's labels are still given to the status page.
    assert rollover_years(TODAY) == ("2025-2026", "2026-2027")


def test_the_message_is_vietnamese(world, only_this_year):
    with translation.override("vi"):
        assert "Năm học 2026–2027 chưa được thiết lập" in _plan(world).not_ready


def test_the_wizard_shows_it_and_refuses_the_apply(world, only_this_year, client, english_pages, on_today):
    client.force_login(world.admin)
    url = reverse("accounts:rollover", args=[world.school.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="year-not-set"' in page and "has not been set yet" in page
    assert 'data-testid="apply"' not in page
    before = _snapshot(world)
    response = client.post(url, _form_data(world))
    assert response.status_code == 200 and "has not been set yet" in response.content.decode()
    assert _snapshot(world) == before


def test_the_wizard_names_the_years_it_closes_and_opens(world, both_years, client, english_pages, on_today):
    client.force_login(world.admin)
    page = client.get(reverse("accounts:rollover", args=[world.school.pk])).content.decode()
    assert "It closes the school year 2025–2026 (05/09/2025 – 31/05/2026)" in page
    assert "opens the school year 2026–2027 (05/09/2026 – 31/05/2027)" in page


def test_the_command_prints_the_years_and_refuses_without_the_next_one(world, only_this_year, on_today):
    out = StringIO()
    call_command("rollover", "--school", world.school.code, stdout=out)
    text = out.getvalue()
    assert "Closes: 2025-2026 (05/09/2025 – 31/05/2026, the Ministry's)" in text
    assert "Opens:  2026-2027:" in text
    before = _snapshot(world)
    with pytest.raises(CommandError, match="Refused, nothing changed"):
        call_command("rollover", "--school", world.school.code, "--apply", stdout=StringIO())
    assert _snapshot(world) == before
    national(2026)
    out = StringIO()
    call_command("rollover", "--school", world.school.code, "--apply", stdout=out)
    assert "Opens:  2026-2027 (05/09/2026 – 31/05/2027, the Ministry's)" in out.getvalue()
    assert "Rolled over from 2025-2026 to 2026-2027" in out.getvalue()
    assert Rollover.objects.get(school=world.school).to_school_year.label == "2026-2027"
