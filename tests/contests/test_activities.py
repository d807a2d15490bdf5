"""Experiential activities (issue #18 point 5), the services: an activity for a class or a group of it,
stages in order, teams, products per stage with versions, self- and peer-assessment, the teacher's
comment, and entering a team's product into a contest through contests' own services. Every refusal is a
clear message and writes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contests import activities, services
from contests.models import (
    Activity,
    ActivityContestEntry,
    ActivityTeam,
    ActivityTeamMember,
    Assessment,
    Participation,
    ProductVersion,
    Registration,
    Round,
    RoundEntry,
    Stage,
    StageProductVersion,
    Team,
    TeamComment,
)
from tests.contests.activities_world import PDF, make_world, pdf
from tests.contests.conftest import make_contest
from units.selectors import school_year_for


@pytest.fixture
def w(tree, in_english):
    return make_world(tree)


def counts():
    return (
        Activity.objects.count(),
        Stage.objects.count(),
        ActivityTeam.objects.count(),
        ActivityTeamMember.objects.count(),
        StageProductVersion.objects.count(),
        Assessment.objects.count(),
        TeamComment.objects.count(),
        Registration.objects.count(),
        Team.objects.count(),
        RoundEntry.objects.count(),
        ProductVersion.objects.count(),
        ActivityContestEntry.objects.count(),
    )


# --- the activity -------------------------------------------------------------------------------------


def test_the_homeroom_teacher_sets_an_activity_for_the_class_sanitised_in_the_school_year(w):
    a = Activity.objects.get(pk=w.activity.pk)
    assert a.owner == w.teacher and a.school == w.tree.s1 and a.school_class == w.tree.c1
    assert a.status == Activity.Status.OPEN and a.opened_at is not None
    assert "<script" not in a.description and "Khảo sát" in a.description
    assert a.school_year == school_year_for(w.tree.c1).label


def test_a_teacher_of_the_class_by_assignment_may_set_one_too_but_not_another_teacher_or_school(w):
    made = activities.activity_create(actor=w.maths, school_class=w.tree.c1, title="Toán trong đời sống")
    assert made.owner == w.maths
    before = counts()
    for stranger in (w.other_teacher, w.far_teacher, w.principal, w.an, w.mother):
        with pytest.raises(PermissionDenied):
            activities.activity_create(actor=stranger, school_class=w.tree.c1, title="Không được")
    assert counts() == before


def test_a_group_of_the_class_refuses_a_student_of_another_class_and_writes_nothing(w):
    before = counts()
    with pytest.raises(ValidationError) as error:
        activities.activity_create(
            actor=w.teacher, school_class=w.tree.c1, title="Nhóm nhỏ", whole_class=False, students=[w.an, w.hoa]
        )
    assert "Đỗ Thị Hoa" in str(error.value) and "6A1" in str(error.value)
    with pytest.raises(ValidationError, match="Choose the students"):
        activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title="Nhóm rỗng", whole_class=False)
    assert counts() == before
    group = activities.activity_create(
        actor=w.teacher, school_class=w.tree.c1, title="Nhóm nhỏ", whole_class=False, students=[w.an, w.binh]
    )
    # A student of the class who was not chosen cannot be put in a team.
    with pytest.raises(ValidationError, match="Not taking part") as error:
        activities.team_create(actor=w.teacher, activity=group, name="A", members=[w.an, w.cuong])
    assert "Lê Văn Cường" in str(error.value)


def test_who_takes_part_changes_only_in_a_draft(w):
    with pytest.raises(ValidationError, match="cannot change once the activity is open"):
        activities.activity_update(
            actor=w.teacher, activity=w.activity, title="Mới", whole_class=False, students=[w.an]
        )
    updated = activities.activity_update(actor=w.teacher, activity=w.activity, title="Dự án môi trường")
    assert updated.title == "Dự án môi trường" and updated.whole_class


def test_stages_are_due_in_order(w):
    draft = activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title="Nháp")
    now = timezone.now()
    first = activities.stage_add(actor=w.teacher, activity=draft, name="Một", due_at=now + timedelta(days=3))
    with pytest.raises(ValidationError, match=r"The stage before \(Một\)"):
        activities.stage_add(actor=w.teacher, activity=draft, name="Hai", due_at=now + timedelta(days=2))
    second = activities.stage_add(actor=w.teacher, activity=draft, name="Hai", due_at=now + timedelta(days=4))
    with pytest.raises(ValidationError, match=r"The stage after \(Hai\)"):
        activities.stage_update(actor=w.teacher, stage=first, name="Một", due_at=now + timedelta(days=5))
    assert Stage.objects.get(pk=first.pk).due_at == first.due_at
    assert [s.position for s in draft.stages.order_by("position")] == [1, 2] and second.position == 2
    with pytest.raises(PermissionDenied):
        activities.stage_add(actor=w.maths, activity=draft, name="Ba", due_at=now + timedelta(days=9))


def test_opening_needs_a_stage_due_in_the_future_and_closing_needs_it_open(w):
    draft = activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title="Nháp")
    with pytest.raises(ValidationError, match="at least one stage"):
        activities.activity_open(actor=w.teacher, activity=draft)
    due = timezone.now() + timedelta(hours=1)
    activities.stage_add(actor=w.teacher, activity=draft, name="Một", due_at=due)
    with pytest.raises(ValidationError, match="which has passed"):
        activities.activity_open(actor=w.teacher, activity=draft, now=due + timedelta(minutes=1))
    with pytest.raises(ValidationError, match="Only an open activity"):
        activities.activity_close(actor=w.teacher, activity=draft)
    with pytest.raises(ValidationError, match="already open"):
        activities.activity_open(actor=w.teacher, activity=w.activity)
    with pytest.raises(PermissionDenied):
        activities.activity_close(actor=w.principal, activity=w.activity)
    assert activities.activity_close(actor=w.teacher, activity=w.activity).status == Activity.Status.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        activities.stage_add(actor=w.teacher, activity=w.activity, name="Thêm", due_at=due + timedelta(days=9))


# --- teams -------------------------------------------------------------------------------------------


def test_a_team_refuses_a_student_of_another_class_one_already_in_a_team_and_a_leader_outside_it(w):
    before = counts()
    with pytest.raises(ValidationError) as error:
        activities.team_create(actor=w.teacher, activity=w.activity, name="Lạ", members=[w.hoa, w.khac])
    assert "Đỗ Thị Hoa" in str(error.value) and "Vũ Văn Khác" in str(error.value)
    with pytest.raises(ValidationError, match="Already in a team") as error:
        activities.team_create(actor=w.teacher, activity=w.activity, name="Trùng", members=[w.an])
    assert "Nhóm Mặt Trời" in str(error.value)
    draft = activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title="Nháp")
    with pytest.raises(ValidationError, match="leader is one of"):
        activities.team_create(actor=w.teacher, activity=draft, name="A", members=[w.an], leader=w.binh)
    with pytest.raises(PermissionDenied):
        activities.team_create(actor=w.maths, activity=draft, name="A", members=[w.an])
    assert counts()[2:] == before[2:]
    # The database keeps a student in one team per activity, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityTeamMember.objects.create(team=w.star, activity=w.activity, student=w.an)


def test_a_student_in_no_team_joins_one_while_the_activity_is_open(w, tree):
    loner = activities.activity_create(actor=w.teacher, school_class=tree.c1, title="Tự chọn nhóm")
    activities.stage_add(actor=w.teacher, activity=loner, name="Một", due_at=w.poster.due_at)
    empty = activities.team_create(actor=w.teacher, activity=loner, name="Nhóm A", members=[w.an])
    with pytest.raises(PermissionDenied):  # a draft is not the students' yet
        activities.team_join(actor=w.binh, team=empty)
    activities.activity_open(actor=w.teacher, activity=loner)
    joined = activities.team_join(actor=w.binh, team=empty)
    assert joined.team == empty and not joined.is_leader
    with pytest.raises(ValidationError, match="already in the team Nhóm A"):
        activities.team_join(actor=w.binh, team=empty)
    for stranger in (w.hoa, w.khac, w.teacher):
        with pytest.raises(PermissionDenied):
            activities.team_join(actor=stranger, team=empty)
    activities.activity_close(actor=w.teacher, activity=loner)
    with pytest.raises(ValidationError, match="while the activity is open"):
        activities.team_join(actor=w.cuong, team=empty)
    assert sorted(empty.members.values_list("student_id", flat=True)) == sorted([w.an.pk, w.binh.pk])


def test_a_team_with_work_stays_and_one_without_is_removed(w):
    activities.stage_product_submit(actor=w.dung, stage=w.survey, description="Phiếu khảo sát")
    with pytest.raises(ValidationError, match="stays"):
        activities.team_remove(actor=w.teacher, team=w.star)
    activities.team_remove(actor=w.teacher, team=w.sun)
    assert not ActivityTeam.objects.filter(pk=w.sun.pk).exists()
    assert not ActivityTeamMember.objects.filter(student=w.an).exists()


# --- products per stage ------------------------------------------------------------------------------


def test_a_member_hands_in_versions_of_the_team_product(w):
    first = activities.stage_product_submit(actor=w.an, stage=w.survey, title="Phiếu", upload=pdf())
    second = activities.stage_product_submit(
        actor=w.binh, stage=w.survey, link="https://drive.example.vn/khao-sat", description="Bản sửa"
    )
    assert (first.number, second.number) == (1, 2)
    assert first.product == second.product and first.product.team == w.sun
    assert first.file_name == "san-pham.pdf" and first.file.read() == PDF
    assert second.title == "Khảo sát"  # no title: the stage's name


def test_a_product_after_the_due_date_or_once_closed_is_refused_and_nothing_is_written(w):
    before = counts()
    with pytest.raises(ValidationError, match="was due at"):
        activities.stage_product_submit(
            actor=w.an, stage=w.survey, upload=pdf(), now=w.survey.due_at + timedelta(seconds=1)
        )
    assert counts() == before
    activities.activity_close(actor=w.teacher, activity=w.activity)
    with pytest.raises(ValidationError, match="closed"):
        activities.stage_product_submit(actor=w.an, stage=w.poster, description="Muộn")
    assert counts()[4] == before[4]


def test_a_wrong_file_a_bad_link_or_nothing_is_refused(w):
    before = counts()
    with pytest.raises(ValidationError, match=r"named \.pdf but its content is not"):
        activities.stage_product_submit(actor=w.an, stage=w.survey, upload=pdf(content=b"MZ\x90\x00 not a pdf"))
    with pytest.raises(ValidationError, match="not an allowed type"):
        activities.stage_product_submit(actor=w.an, stage=w.survey, upload=pdf(name="virus.exe"))
    with pytest.raises(ValidationError, match="http:// or https://"):
        activities.stage_product_submit(actor=w.an, stage=w.survey, link="javascript:alert(1)")
    with pytest.raises(ValidationError, match="Hand in a file, a link or a description"):
        activities.stage_product_submit(actor=w.an, stage=w.survey)
    assert counts() == before


def test_only_the_class_students_in_a_team_hand_in(w):
    for stranger in (w.hoa, w.khac, w.teacher, w.mother):
        with pytest.raises(PermissionDenied):
            activities.stage_product_submit(actor=stranger, stage=w.survey, description="x")
    loner = activities.activity_create(actor=w.teacher, school_class=w.tree.c1, title="Khác")
    stage = activities.stage_add(actor=w.teacher, activity=loner, name="Một", due_at=w.survey.due_at)
    activities.activity_open(actor=w.teacher, activity=loner)
    with pytest.raises(ValidationError, match="no team"):
        activities.stage_product_submit(actor=w.an, stage=stage, description="x")


# --- self- and peer-assessment -----------------------------------------------------------------------


def test_self_and_peer_assessment_on_the_fixed_scale(w):
    mine = activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.an, score=4, kind="self")
    peer = activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.binh, score="5", comment="Chăm")
    again = activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.binh, score=3)
    assert mine.kind == Assessment.Kind.SELF and peer.kind == Assessment.Kind.PEER
    assert again.pk == peer.pk and Assessment.objects.get(pk=peer.pk).score == 3


@pytest.mark.parametrize("score", [0, 6, -1, "abc", "", None, "4.5"])
def test_a_score_out_of_range_is_refused(w, score):
    with pytest.raises(ValidationError, match="from 1 to 5"):
        activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.binh, score=score)
    assert not Assessment.objects.exists()


def test_a_student_never_rates_themself_as_a_peer_nor_someone_outside_their_team(w):
    with pytest.raises(ValidationError, match="cannot rate yourself"):
        activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.an, score=5, kind="peer")
    with pytest.raises(ValidationError, match="own contribution"):
        activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.binh, score=5, kind="self")
    with pytest.raises(ValidationError, match="own team"):
        activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.dung, score=5)
    with pytest.raises(PermissionDenied):
        activities.assessment_submit(actor=w.hoa, activity=w.activity, subject=w.an, score=5)
    assert not Assessment.objects.exists()
    # The database says it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(activity=w.activity, team=w.sun, assessor=w.an, subject=w.an, kind="peer", score=5)


def test_assessments_stop_when_the_activity_closes(w):
    activities.activity_close(actor=w.teacher, activity=w.activity)
    with pytest.raises(ValidationError, match="closed"):
        activities.assessment_submit(actor=w.an, activity=w.activity, subject=w.binh, score=4)


# --- the teacher's comment ----------------------------------------------------------------------------


def test_the_teacher_comments_with_a_mark_on_the_ten_point_scale(w):
    row = activities.team_comment_set(actor=w.teacher, team=w.sun, comment="Poster đẹp", mark="8,5")
    assert str(row.mark) == "8.50"
    row = activities.team_comment_set(actor=w.teacher, team=w.sun, comment="Poster rất đẹp")
    assert row.mark is None and TeamComment.objects.count() == 1
    with pytest.raises(ValidationError, match="between 0 and 10"):
        activities.team_comment_set(actor=w.teacher, team=w.sun, comment="x", mark="11")
    with pytest.raises(ValidationError, match="Write the comment"):
        activities.team_comment_set(actor=w.teacher, team=w.sun, comment="  ")
    for other in (w.principal, w.maths, w.an):
        with pytest.raises(PermissionDenied):
            activities.team_comment_set(actor=other, team=w.sun, comment="x")
    assert TeamComment.objects.get().comment == "Poster rất đẹp"


# --- entering a product into a contest ---------------------------------------------------------------


def _team_contest(people, tree, **overrides):
    fields = {"participation": Participation.TEAM, "team_min": 2, "team_max": 5, "title": "Sáng tạo trẻ"}
    fields.update(overrides)
    return make_contest(actor=people.office, organiser=tree.office_a1, **fields)


@pytest.fixture
def handed_in(w):
    return activities.stage_product_submit(actor=w.an, stage=w.poster, title="Poster rác nhựa", upload=pdf())


def test_a_team_product_is_entered_through_the_contests_services(w, people, handed_in):
    contest = _team_contest(people, w.tree)
    rnd = contest.rounds.get(order=1)
    row = activities.activity_enter_contest(actor=w.teacher, version=handed_in, rnd=rnd)
    registration = row.entry.registration
    assert registration.contest == contest and registration.school == w.tree.s1
    assert registration.registered_by == w.teacher and registration.team.name == "Nhóm Mặt Trời – 6A1"
    assert sorted(registration.team.members.values_list("user_id", flat=True)) == sorted(
        [w.an.pk, w.binh.pk, w.cuong.pk]
    )
    assert registration.team.members.get(is_leader=True).user == w.an
    assert row.entry.round == rnd and row.version.number == 1 and row.version.submitted_by == w.teacher
    assert row.version.file.read() == PDF and row.version.file_name == "san-pham.pdf"
    # A second product of the same team: the same registration, a new version.
    again = activities.activity_enter_contest(actor=w.teacher, version=handed_in, rnd=rnd)
    assert again.entry == row.entry and again.version.number == 2
    assert Registration.objects.filter(contest=contest).count() == 1


def test_entering_a_closed_round_writes_nothing(w, people, handed_in):
    contest = _team_contest(people, w.tree)
    rnd = contest.rounds.get(order=1)
    Round.objects.filter(pk=rnd.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    before = counts()
    with pytest.raises(ValidationError, match="deadline for products"):
        activities.activity_enter_contest(actor=w.teacher, version=handed_in, rnd=rnd)
    assert counts() == before


def test_entering_beyond_the_school_quota_writes_nothing(w, people, handed_in):
    contest = _team_contest(people, w.tree, per_school_limit=1)
    services.team_register(actor=w.dung, contest=contest, name="Nhóm khác", members=[w.em], leader=w.dung)
    before = counts()
    with pytest.raises(ValidationError, match="has used all 1 registrations"):
        activities.activity_enter_contest(actor=w.teacher, version=handed_in, rnd=contest.rounds.get(order=1))
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participation": Participation.INDIVIDUAL}, "for individuals"),
        ({"team_min": 4, "team_max": 5}, "A team has 4 to 5 members; this one has 3"),
        ({"grades": [7]}, "grade 6; this contest is for grades 7"),
    ],
)
def test_the_contest_rules_refuse_and_nothing_is_written(w, people, handed_in, overrides, message):
    contest = _team_contest(people, w.tree, **overrides)
    before = counts()
    with pytest.raises(ValidationError, match=message):
        activities.activity_enter_contest(actor=w.teacher, version=handed_in, rnd=contest.rounds.get(order=1))
    assert counts() == before


def test_only_the_owner_enters_and_contests_services_still_refuse_a_stranger(w, people, handed_in):
    contest = _team_contest(people, w.tree)
    rnd = contest.rounds.get(order=1)
    for other in (w.maths, w.principal, w.an):
        with pytest.raises(PermissionDenied):
            activities.activity_enter_contest(actor=other, version=handed_in, rnd=rnd)
    # The teacher may register exactly the activity's team, not other students with it.
    with pytest.raises(PermissionDenied):
        services.team_register(
            actor=w.teacher, contest=contest, name="Mượn", members=[w.binh, w.dung], leader=w.binh, activity_team=w.sun
        )
    assert not Registration.objects.exists()
