"""Registration: by the participant or their school, eligibility (audience, grade, subject, open units),
per-school quotas, the deadline, teams (size, leader, one school), withdrawal. Every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contests import services
from contests.models import Registration, RoundEntry, Team, TeamMember
from tests.accounts.factories import make_person
from tests.contests.conftest import make_contest
from units.models import Role

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def contest(tree, people):
    return make_contest(actor=people.office, organiser=tree.office_a1, grades=[6], per_school_limit=2, rounds=2)


def test_a_student_registers_and_enters_the_first_round(contest, people, tree):
    registration = services.registration_create(actor=people.student, contest=contest, user=people.student)
    assert registration.school == tree.s1 and registration.unit == tree.c1 and registration.grade == 6
    entry = RoundEntry.objects.get(registration=registration)
    assert entry.round.order == 1 and entry.status == RoundEntry.Status.ENTERED


def test_the_school_admin_registers_a_student_of_their_school_only(contest, people):
    registration = services.registration_create(actor=people.admin, contest=contest, user=people.student)
    assert registration.registered_by == people.admin
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=people.admin, contest=contest, user=people.student_s2)
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=people.student, contest=contest, user=people.student_b)
    assert Registration.objects.count() == 1


def test_ineligible_grade_audience_and_unit_are_refused_with_reasons(contest, people):
    cases = [
        (people.student7, "is in grade 7; this contest is for grades 6"),
        (people.teacher, "this contest is for students"),
        (people.student_far, "is not among the units this contest is open to"),
    ]
    for user, words in cases:
        with pytest.raises(ValidationError) as error:
            services.registration_create(actor=user, contest=contest, user=user)
        assert words in error.value.messages[0]
    assert not Registration.objects.exists()


def test_open_to_narrows_the_units(tree, people):
    contest = make_contest(actor=people.office, organiser=tree.office_a1, open_to=[tree.s2])
    with pytest.raises(ValidationError):
        services.registration_create(actor=people.student, contest=contest, user=people.student)
    assert services.registration_create(actor=people.student_s2, contest=contest, user=people.student_s2)


def test_the_quota_per_school_and_double_registration(contest, people, tree):
    services.registration_create(actor=people.student, contest=contest, user=people.student)
    with pytest.raises(ValidationError) as error:
        services.registration_create(actor=people.student, contest=contest, user=people.student)
    assert "already registered" in error.value.messages[0]
    services.registration_create(actor=people.student_b, contest=contest, user=people.student_b)
    third = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Vũ Văn Ba")
    with pytest.raises(ValidationError) as error:
        services.registration_create(actor=people.admin, contest=contest, user=third)
    assert "Trường THCS Trần Phú has used all 2 registrations" in error.value.messages[0]
    assert Registration.objects.filter(school=tree.s1).count() == 2
    # Another school has its own quota.
    assert services.registration_create(actor=people.admin2, contest=contest, user=people.student_s2)


def test_registration_window(contest, people):
    late = contest.registration_closes_at + timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        services.registration_create(actor=people.student, contest=contest, user=people.student, now=late)
    assert "Registration closed at" in error.value.messages[0]
    early = contest.registration_opens_at - timedelta(minutes=1)
    with pytest.raises(ValidationError):
        services.registration_create(actor=people.student, contest=contest, user=people.student, now=early)
    assert not Registration.objects.exists()


def test_a_draft_takes_no_registration(tree, people):
    contest = make_contest(actor=people.office, organiser=tree.office_a1, announce=False)
    with pytest.raises(ValidationError):
        services.registration_create(actor=people.student, contest=contest, user=people.student)


def test_subjects_are_checked(tree, people):
    contest = make_contest(actor=people.office, organiser=tree.office_a1, subjects=["Toán", "Vật lí"])
    with pytest.raises(ValidationError) as error:
        services.registration_create(actor=people.student, contest=contest, user=people.student, subject="Sử")
    assert "subject" in error.value.message_dict
    registration = services.registration_create(
        actor=people.student, contest=contest, user=people.student, subject="Toán"
    )
    assert registration.subject == "Toán"


def test_withdrawing_frees_the_quota_and_registering_again_reuses_the_row(contest, people):
    registration = services.registration_create(actor=people.student, contest=contest, user=people.student)
    services.registration_withdraw(actor=people.admin, registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN
    assert RoundEntry.objects.get(registration=registration).status == RoundEntry.Status.ABSENT
    again = services.registration_create(actor=people.student, contest=contest, user=people.student)
    assert again.pk == registration.pk and again.status == Registration.Status.REGISTERED
    assert RoundEntry.objects.get(registration=registration).status == RoundEntry.Status.ENTERED
    with pytest.raises(PermissionDenied):
        services.registration_withdraw(actor=people.student_b, registration=again)


# --- teams ---------------------------------------------------------------------------------------


@pytest.fixture
def team_contest(tree, people):
    return make_contest(actor=people.office, organiser=tree.office_a1, participation="team", team_min=2, team_max=3)


def test_a_leader_registers_a_team_of_their_school(team_contest, people, tree):
    registration = services.team_register(
        actor=people.student, contest=team_contest, name="Nhóm Ánh Sáng", leader=people.student,
        members=[people.student_b, people.student7],
    )  # fmt: skip
    team = registration.team
    assert registration.school == tree.s1 and team.members.count() == 3
    assert list(team.members.filter(is_leader=True).values_list("user", flat=True)) == [people.student.pk]
    with pytest.raises(ValidationError) as error:
        services.team_register(
            actor=people.admin, contest=team_contest, name="Nhóm 2", leader=people.student_b,
            members=[people.student_s2],
        )  # fmt: skip
    assert "in this contest a team's members are all of one school" in error.value.messages[0]


def test_team_refusals_change_nothing(team_contest, people):
    with pytest.raises(ValidationError) as error:
        services.team_register(
            actor=people.student, contest=team_contest, name="Một mình", leader=people.student, members=[]
        )
    assert "A team has 2 to 3 members; this one has 1." in error.value.messages
    services.team_register(
        actor=people.student, contest=team_contest, name="A", leader=people.student, members=[people.student_b]
    )
    with pytest.raises(ValidationError) as error:
        services.team_register(
            actor=people.student7, contest=team_contest, name="B", leader=people.student7, members=[people.student_b]
        )
    assert "Already registered for this contest: Phạm Thu Hà." in error.value.messages
    with pytest.raises(PermissionDenied):
        services.team_register(
            actor=people.student_s2, contest=team_contest, name="C", leader=people.student7, members=[people.student]
        )
    assert Team.objects.count() == 1 and TeamMember.objects.count() == 2


def test_teams_may_mix_schools_when_the_contest_says_so(tree, people):
    contest = make_contest(
        actor=people.office, organiser=tree.office_a1, participation="team", team_min=2, team_max=3,
        team_cross_school=True,
    )  # fmt: skip
    registration = services.team_register(
        actor=people.student, contest=contest, name="Liên trường", leader=people.student, members=[people.student_s2]
    )
    members = {m.user_id: m.school_id for m in registration.team.members.all()}
    assert members == {people.student.pk: tree.s1.pk, people.student_s2.pk: tree.s2.pk}


def test_an_individual_contest_takes_no_team_and_back(team_contest, contest, people):
    with pytest.raises(ValidationError):
        services.registration_create(actor=people.student, contest=team_contest, user=people.student)
    with pytest.raises(ValidationError):
        services.team_register(
            actor=people.student, contest=contest, name="X", leader=people.student, members=[people.student_b]
        )
    assert timezone.now() < contest.registration_closes_at


def test_a_contest_open_to_one_class_takes_only_that_class(tree, people):
    contest = make_contest(actor=people.admin, organiser=tree.s1, open_to=[tree.c2])
    assert services.registration_create(actor=people.student7, contest=contest, user=people.student7)
    with pytest.raises(ValidationError) as error:
        services.registration_create(actor=people.student, contest=contest, user=people.student)
    assert "not among the units this contest is open to" in error.value.messages[0]
