"""Profile rules (issue #12): which details each account type must fill in before posting, enrolling or
submitting is a rule per unit set by the level above; the nearest rule up the tree applies; by default
teachers keep the photo-and-profile rule and students need nothing beyond what the school imported.
The same check gates the services and drives the buttons, before the click."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ProfileRule, User
from accounts.permissions import can_set_profile_rule
from accounts.profile import missing_profile_items, prime_required_fields, profile_is_complete
from accounts.services.profile_rules import profile_rule_clear, profile_rule_set
from courses.models import Enrolment, Submission
from courses.services.enrolment import enrolment_register
from courses.services.submissions import submission_create
from tests.accounts.factories import UserFactory, complete_profile, make_person
from tests.courses.factories import make_assignment, make_course
from units.models import AuditEntry, Role

T = User.AccountType
ALL = ["email", "phone number", "date of birth", "a proper ID photo"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


pytestmark = pytest.mark.usefixtures("in_english")


def fresh(user: User) -> User:
    """The same person read again, as the next request would (the rule is kept on the object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def people(tree):
    """Freshly issued accounts: nothing beyond the imported name, unit and class."""
    return {
        "student": make_person(unit=tree.c1, role=Role.STUDENT, username="hs.moi"),
        "teacher": make_person(unit=tree.g1, role=Role.TEACHER, username="gv.moi"),
        "thpt_student": make_person(unit=tree.t1, role=Role.STUDENT, username="hs.thpt"),
        "other_dept_student": make_person(unit=tree.s3, role=Role.STUDENT, username="hs.namdinh"),
        "dept_staff": make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, username="so.hanam"),
        "office_staff": make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, username="phong.phuly"),
        "school_admin": make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="qt.tranphu"),
    }


# --- The rule: defaults, a Department's override, the nearest rule up the tree ---------------------------


def test_by_default_a_fresh_student_needs_nothing_more_and_a_teacher_needs_everything(people):
    student, teacher = people["student"], people["teacher"]
    assert (student.email, student.photo_status) == ("", User.PhotoStatus.MISSING)
    assert missing_profile_items(student) == [] and profile_is_complete(student)
    assert missing_profile_items(teacher) == ALL and not profile_is_complete(teacher)
    # Staff of the units above are not held to the school rule, whatever is set.
    assert profile_is_complete(people["dept_staff"]) and missing_profile_items(people["dept_staff"]) == []


def test_a_department_rule_applies_to_every_school_below_it_and_only_there(tree, people):
    profile_rule_set(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.STUDENT, required={"email", "photo"})
    profile_rule_set(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.TEACHER, required={"photo"})
    assert missing_profile_items(fresh(people["student"])) == ["email", "a proper ID photo"]  # via Office A1
    assert missing_profile_items(fresh(people["thpt_student"])) == ["email", "a proper ID photo"]  # directly
    assert missing_profile_items(fresh(people["teacher"])) == ["a proper ID photo"]
    assert profile_is_complete(fresh(people["other_dept_student"]))  # Nam Định is not Hà Nam


def test_the_nearest_rule_up_the_tree_wins_and_clearing_it_falls_back_to_the_one_above(tree, people):
    profile_rule_set(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.STUDENT, required={"email"})
    profile_rule_set(actor=people["office_staff"], unit=tree.office_a1, account_type=T.STUDENT, required=set())
    profile_rule_set(actor=None, unit=tree.ministry, account_type=T.STUDENT, required={"phone"})
    assert profile_is_complete(fresh(people["student"]))  # the Office's rule is nearer than the Department's
    assert missing_profile_items(fresh(people["thpt_student"])) == ["email"]  # the Department's, not the Ministry's
    assert missing_profile_items(fresh(people["other_dept_student"])) == ["phone number"]  # the Ministry's

    profile_rule_clear(actor=people["office_staff"], unit=tree.office_a1, account_type=T.STUDENT)
    assert missing_profile_items(fresh(people["student"])) == ["email"]


def test_a_full_profile_never_looks_the_rule_up_and_one_rule_lookup_is_kept(tree, people, django_assert_num_queries):
    complete = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    with django_assert_num_queries(0):
        assert profile_is_complete(complete)
    teacher = fresh(people["teacher"])
    with django_assert_num_queries(1):
        assert missing_profile_items(teacher) == ALL
    with django_assert_num_queries(0):
        assert not profile_is_complete(teacher)


def test_many_people_are_checked_in_two_queries(tree, django_assert_num_queries):
    profile_rule_set(actor=None, unit=tree.dept_a, account_type=T.STUDENT, required={"email"})
    students = [make_person(unit=tree.c1, role=Role.STUDENT) for _ in range(12)]
    students += [make_person(unit=tree.s3, role=Role.STUDENT) for _ in range(12)]
    students = [fresh(s) for s in students]
    with django_assert_num_queries(2):
        prime_required_fields(students)
        results = [profile_is_complete(s) for s in students]
    assert results == [False] * 12 + [True] * 12


# --- Setting it: who may, what is stored, the audit trail ----------------------------------------------


def test_who_may_set_a_rule_where(tree, people):
    dept, office, admin = people["dept_staff"], people["office_staff"], people["school_admin"]
    assert can_set_profile_rule(dept, tree.dept_a) and can_set_profile_rule(dept, tree.office_a1)
    assert not can_set_profile_rule(dept, tree.dept_b) and not can_set_profile_rule(dept, tree.ministry)
    assert not can_set_profile_rule(dept, tree.s1)  # rules are set for a level, not for one school
    assert can_set_profile_rule(office, tree.office_a1)
    assert not can_set_profile_rule(office, tree.dept_a) and not can_set_profile_rule(office, tree.office_a2)
    assert not can_set_profile_rule(admin, tree.s1) and not can_set_profile_rule(admin, tree.office_a1)
    assert not can_set_profile_rule(people["teacher"], tree.office_a1)
    assert can_set_profile_rule(UserFactory(is_superuser=True), tree.ministry)


def test_setting_a_rule_is_audited_and_repeating_it_changes_nothing(tree, people):
    rule = profile_rule_set(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.STUDENT, required=["email"])
    assert rule.required == ("email",) and rule.updated_by == people["dept_staff"]
    profile_rule_set(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.STUDENT, required=["email"])
    profile_rule_set(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.STUDENT, required=["email", "photo"])
    entries = list(AuditEntry.objects.filter(action="profile_rule.set").order_by("id"))
    assert [(e.before["required"], e.after["required"]) for e in entries] == [
        (None, ["email"]),
        (["email"], ["email", "photo"]),
    ]
    assert ProfileRule.objects.count() == 1
    profile_rule_clear(actor=people["dept_staff"], unit=tree.dept_a, account_type=T.STUDENT)
    assert not ProfileRule.objects.exists()
    assert AuditEntry.objects.get(action="profile_rule.clear").before["required"] == ["email", "photo"]


@pytest.mark.parametrize(
    ("where", "account_type", "required", "message"),
    [
        ("s1", T.STUDENT, {"email"}, "set by the Ministry, a Department or an Office"),
        ("dept_a", T.STAFF, {"email"}, "for teacher or student accounts"),
        ("dept_a", T.STUDENT, {"shoe size"}, "Unknown profile details: shoe size"),
    ],
)
def test_a_wrong_rule_is_refused_with_a_reason_and_changes_nothing(tree, where, account_type, required, message):
    with pytest.raises(ValidationError, match=message):
        profile_rule_set(actor=None, unit=getattr(tree, where), account_type=account_type, required=required)
    assert (
        not ProfileRule.objects.exists() and not AuditEntry.objects.filter(action__startswith="profile_rule").exists()
    )


# --- The page where the level above sets it ----------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(unit):
    return reverse("accounts:profile_rules", args=[unit.pk])


def test_the_department_sees_the_defaults_and_sets_a_rule_for_students(english, tree, people):
    client = english
    client.force_login(people["dept_staff"])
    page = client.get(url(tree.dept_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Now required: email, phone number, date of birth, a proper ID photo." in html  # teachers, default
    assert "Now required: nothing beyond what the school imported." in html  # students, default
    response = client.post(
        url(tree.dept_a), {"account_type": "student", "student-mode": "own", "student-required": ["email"]}
    )
    assert response.status_code == 302
    assert ProfileRule.objects.get(unit=tree.dept_a, account_type=T.STUDENT).required == ("email",)
    assert not ProfileRule.objects.filter(account_type=T.TEACHER).exists()

    client.force_login(people["office_staff"])  # the Office below sees where its schools' rule comes from
    html = client.get(url(tree.office_a1)).content.decode()
    assert "Follows the rule of Sở GDĐT Hà Nam." in html and "Now required: email." in html
    client.post(url(tree.office_a1), {"account_type": "student", "student-mode": "own"})  # nothing required
    assert profile_is_complete(fresh(people["student"]))
    client.post(url(tree.office_a1), {"account_type": "student", "student-mode": "follow"})
    assert missing_profile_items(fresh(people["student"])) == ["email"]


def test_schools_teachers_and_other_branches_cannot_reach_the_page(client, tree, people):
    for who, unit in [
        ("school_admin", tree.office_a1),
        ("teacher", tree.office_a1),
        ("office_staff", tree.dept_a),
        ("dept_staff", tree.dept_b),
        ("dept_staff", tree.s1),
    ]:
        client.force_login(people[who])
        assert client.get(url(unit)).status_code == 404, (who, unit)
        post = client.post(url(unit), {"account_type": "student", "student-mode": "own", "student-required": ["email"]})
        assert post.status_code == 404
    assert not ProfileRule.objects.exists()


def test_the_home_page_links_the_staff_to_their_rule_page(client, tree, people):
    client.force_login(people["dept_staff"])
    assert url(tree.dept_a) in client.get(reverse("home")).content.decode()
    client.force_login(people["school_admin"])
    assert reverse("accounts:profile_rules", args=[tree.s1.pk]) not in client.get(reverse("home")).content.decode()


# --- The gates and the buttons read the same check ----------------------------------------------------


@pytest.fixture
def course(tree):
    author = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    course = make_course(unit=tree.s1, author=author, title="Ôn tập Toán 6")
    course.assignment = make_assignment(course=course, title="Bài tập tuần 1", due_in=timedelta(days=3))
    return course


def pdf():
    return SimpleUploadedFile("bai-tap.pdf", PDF + b"x" * 500, content_type="application/pdf")


def test_a_fresh_student_enrols_and_hands_in_with_no_email_or_photo(tree, people, course):
    student = people["student"]
    enrolment_register(actor=student, course=course)
    submission_create(actor=fresh(student), assignment=course.assignment, uploads=[pdf()])
    assert Enrolment.objects.filter(user=student, course=course).exists()
    assert Submission.objects.filter(learner=student, assignment=course.assignment).count() == 1


def test_where_a_rule_asks_for_an_email_the_student_is_refused_and_nothing_changes(tree, people, course):
    profile_rule_set(actor=None, unit=tree.office_a1, account_type=T.STUDENT, required={"email"})
    with pytest.raises(ValidationError, match=r"complete your profile.*email"):
        enrolment_register(actor=fresh(people["student"]), course=course)
    assert not Enrolment.objects.exists()


def hand_in_buttons(html: str) -> tuple[int, int]:
    return html.count('data-testid="home-hand-in"'), html.count('data-testid="profile-needed"')


def test_the_home_page_button_says_what_is_missing_before_the_click(
    client, tree, people, course, django_assert_max_num_queries
):
    student = people["student"]
    enrolment_register(actor=student, course=course)
    for _ in range(4):
        make_assignment(course=course, title="Bài tập thêm", due_in=timedelta(days=2))
    client.force_login(student)
    html = client.get(reverse("home")).content.decode()
    assert hand_in_buttons(html) == (5, 0) and 'data-testid="profile-banner"' not in html

    profile_rule_set(actor=None, unit=tree.dept_a, account_type=T.STUDENT, required={"email"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    with django_assert_max_num_queries(40):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert hand_in_buttons(html) == (0, 5)
    assert "Cần hoàn thiện hồ sơ trước: còn thiếu email." in html
    assert html.count(f'href="{reverse("accounts:profile_edit")}" data-testid="profile-needed-link"') == 5
    assert 'data-testid="profile-needed-button"' in html and "disabled" in html


def test_the_course_page_shows_a_teacher_what_is_missing_instead_of_the_register_button(english, tree, people, course):
    client = english
    teacher = make_person(unit=tree.g2, role=Role.TEACHER)
    client.force_login(teacher)
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="register"' not in html and 'data-testid="profile-needed"' in html
    assert "Complete your profile first: still missing email, phone number, date of birth, a proper ID photo." in html
    client.force_login(people["student"])  # a fresh student: the real button
    html = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="register"' in html and 'data-testid="profile-needed"' not in html
