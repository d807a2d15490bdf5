"""Registering: on one's own (every refusal with its message and nothing changed), withdrawing and coming
back, whole classes and professional groups (bulk, idempotent), learning groups (members from the school
or cluster, in the audience, with complete profiles), and naming a new leader when the leader leaves."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from courses.models import Course, Enrolment, LearningGroup, SectionProgress
from courses.services.enrolment import (
    enrolment_add_unit,
    enrolment_register,
    enrolment_withdraw,
    learning_group_register,
    learning_group_set_leader,
    section_mark_done,
)
from forums.selectors import owner_forums
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_course, make_section
from units.models import AuditEntry, Cluster, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def course(tree, people):
    """A training course of School S1, open to the school, taught by teacher An."""
    return make_course(unit=tree.s1, author=people.teacher)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


# --- on one's own ------------------------------------------------------------------------------


def test_register_from_the_course_page(client, course, people):
    client.force_login(people.teacher3)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="register"' in page
    response = client.post(reverse("courses:enrol", args=[course.pk]), follow=True)
    enrolment = Enrolment.objects.get(course=course, user=people.teacher3)
    assert enrolment.source == Enrolment.Source.SELF and enrolment.withdrawn_at is None
    assert "You are registered" in response.content.decode()
    response = client.post(reverse("courses:enrol", args=[course.pk]), follow=True)
    assert "You are already registered for this course." in response.content.decode()
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Course.Status.CLOSED}, "This course is closed"),
        ({"ends_on": "past"}, "This course ended on"),
    ],
)
def test_closed_or_ended_course_refuses(course, people, change, message):
    if change.get("ends_on") == "past":
        change = {"ends_on": timezone.localdate() - timedelta(days=1)}
    Course.objects.filter(pk=course.pk).update(**change)
    course.refresh_from_db()
    with pytest.raises(ValidationError, match=message):
        enrolment_register(actor=people.teacher3, course=course)
    assert not Enrolment.objects.exists()


def test_draft_refuses_and_looks_missing(client, tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, status=Course.Status.DRAFT)
    with pytest.raises(ValidationError, match="not published yet"):
        enrolment_register(actor=people.teacher3, course=course)
    client.force_login(people.teacher3)
    assert client.post(reverse("courses:enrol", args=[course.pk])).status_code == 404
    assert not Enrolment.objects.exists()


def test_outsider_and_instructor_are_refused(course, people):
    with pytest.raises(ValidationError, match="not open to your unit"):
        enrolment_register(actor=people.other_school, course=course)
    with pytest.raises(ValidationError, match="You teach this course"):
        enrolment_register(actor=people.teacher, course=course)
    assert not Enrolment.objects.exists()


def test_incomplete_profile_is_told_what_is_missing(client, course, people):
    with pytest.raises(ValidationError) as error:
        enrolment_register(actor=people.incomplete, course=course)
    assert "complete your profile" in error.value.messages[0] and "phone number" in error.value.messages[0]
    client.force_login(people.incomplete)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="profile-needed"' in page and reverse("accounts:profile_edit") in page
    assert not Enrolment.objects.exists()


def test_withdraw_then_register_again_reactivates_the_same_row(client, course, people):
    section = make_section(course=course)
    enrolment = enrolment_register(actor=people.teacher3, course=course)
    section_mark_done(actor=fresh(people.teacher3), section=section)
    client.force_login(people.teacher3)
    url = reverse("courses:withdraw", args=[course.pk])
    assert 'data-testid="withdraw"' in client.get(url).content.decode()
    client.post(url)
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is not None
    with pytest.raises(ValidationError, match="not registered"):
        enrolment_withdraw(actor=fresh(people.teacher3), course=course)
    again = enrolment_register(actor=fresh(people.teacher3), course=course)
    assert again.pk == enrolment.pk and again.withdrawn_at is None
    assert again.sections_done == 1 and SectionProgress.objects.filter(enrolment=again).count() == 1


# --- whole classes and groups ------------------------------------------------------------------


def test_instructor_enrols_a_class_in_bulk_and_again_changes_nothing(client, tree, people, course):
    extra = [complete_profile(make_person(unit=tree.c1, role=Role.STUDENT)) for _ in range(5)]
    enrolment_register(actor=people.student2, course=course)
    client.force_login(people.teacher)
    url = reverse("courses:enrol_unit", args=[course.pk])
    assert tree.c1.name in client.get(url).content.decode()
    response = client.post(url, {"unit": tree.c1.pk}, follow=True)
    assert "6 people of 6A1 are registered; 1 were registered already" in response.content.decode()
    rows = Enrolment.objects.filter(course=course, source=Enrolment.Source.CLASS)
    assert set(rows.values_list("user_id", flat=True)) == {people.student.pk, *(u.pk for u in extra)}
    assert Enrolment.objects.get(user=people.student2).source == Enrolment.Source.SELF
    assert enrolment_add_unit(actor=people.teacher, course=course, unit=tree.c1) == (0, 7)
    assert Enrolment.objects.filter(course=course).count() == 7
    assert AuditEntry.objects.filter(action="course.enrol_unit").count() == 2


def test_enrolling_a_group_costs_the_same_few_queries(tree, people, course, django_assert_max_num_queries):
    for _ in range(30):
        make_person(unit=tree.g2, role=Role.TEACHER)
    with django_assert_max_num_queries(12):
        added, _already = enrolment_add_unit(actor=people.teacher, course=course, unit=tree.g2)
    assert added == 31
    assert Enrolment.objects.filter(source=Enrolment.Source.PROFESSIONAL_GROUP).count() == 31


def test_enrolling_a_unit_outside_the_audience_or_by_a_learner_is_refused(client, tree, people, course):
    with pytest.raises(ValidationError) as error:
        enrolment_add_unit(actor=people.teacher, course=course, unit=tree.g3)
    assert "inside the course's audience" in " ".join(error.value.messages)
    with pytest.raises(ValidationError, match="Only the course's instructors"):
        enrolment_add_unit(actor=people.teacher3, course=course, unit=tree.c1)
    client.force_login(people.teacher3)
    assert client.get(reverse("courses:enrol_unit", args=[course.pk])).status_code == 403
    client.force_login(people.other_school)
    assert client.get(reverse("courses:enrol_unit", args=[course.pk])).status_code == 404
    assert not Enrolment.objects.exists()


# --- learning groups ---------------------------------------------------------------------------


def test_group_leader_registers_a_learning_group(client, tree, people, course):
    client.force_login(people.leader)
    url = reverse("courses:learning_group_create", args=[course.pk])
    page = client.get(url).content.decode()
    assert people.teacher2.full_name in page and people.other_school.full_name not in page
    enrolment_register(actor=people.teacher3, course=course)
    response = client.post(
        url,
        {
            "scope": f"u{tree.s1.pk}",
            "name": "Nhóm Toán 1",
            "leader": people.teacher2.pk,
            "members": [people.teacher3.pk, people.leader.pk],
        },
    )
    group = LearningGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("courses:learning_group", args=[group.pk])
    assert group.leader == people.teacher2 and group.unit == tree.s1 and group.created_by == people.leader
    rows = Enrolment.objects.filter(course=course)
    assert set(rows.values_list("user_id", flat=True)) == {people.teacher2.pk, people.teacher3.pk, people.leader.pk}
    assert all(e.group_id == group.pk and e.source == Enrolment.Source.GROUP for e in rows)
    assert "discussion" in owner_forums(owner=group)
    client.force_login(people.teacher3)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert 'data-testid="group-forum-link"' in page


def test_learning_group_refusals_change_nothing(client, tree, people, course):
    scope = f"u{tree.s1.pk}"

    def register(actor, **kwargs):
        kwargs.setdefault("name", "Nhóm A")
        kwargs.setdefault("leader", people.teacher2)
        kwargs.setdefault("members", [])
        return learning_group_register(actor=actor, course=course, scope=scope, **kwargs)

    with pytest.raises(ValidationError, match="Only group leaders"):
        register(people.teacher3)
    with pytest.raises(ValidationError) as error:
        register(people.leader, members=[people.other_school])
    assert people.other_school.full_name in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        register(people.leader, members=[people.incomplete])
    assert "complete their profile" in " ".join(error.value.messages)
    first = register(people.leader, name="Nhóm B", members=[people.teacher3])
    with pytest.raises(ValidationError, match="Already in another learning group"):
        register(people.leader, leader=people.teacher3)
    with pytest.raises(ValidationError, match="already has a group named"):
        register(people.leader, name="nhóm b", leader=people.leader)
    assert LearningGroup.objects.get() == first
    assert Enrolment.objects.count() == 2
    client.force_login(people.teacher3)
    assert client.get(reverse("courses:learning_group_create", args=[course.pk])).status_code == 403


def test_cluster_group_takes_members_from_the_cluster_schools(tree, people):
    cluster = Cluster.objects.create(code="CUM", name="Cụm Phủ Lý", owner=tree.office_a1)
    cluster.schools.add(tree.s1, tree.s2)
    course = make_course(unit=tree.office_a1, author=people.office, audience_unit=None, audience_cluster=cluster)
    group = learning_group_register(
        actor=people.leader,
        course=course,
        name="Liên trường",
        scope=f"c{cluster.pk}",
        leader=people.leader,
        members=[people.other_school, people.teacher],
    )
    assert group.cluster == cluster and group.enrolments.count() == 3


def test_new_leader_when_the_leader_leaves(client, tree, people, course):
    group = learning_group_register(
        actor=people.leader,
        course=course,
        name="Nhóm 1",
        scope=f"u{tree.s1.pk}",
        leader=people.teacher2,
        members=[people.teacher3, people.leader],
    )
    with pytest.raises(ValidationError, match="active leader"):
        learning_group_set_leader(actor=fresh(people.teacher3), group=group, leader=people.teacher3)
    enrolment_withdraw(actor=fresh(people.teacher2), course=course)
    client.force_login(people.teacher3)
    page = client.get(reverse("courses:learning_group", args=[group.pk])).content.decode()
    assert 'data-testid="leader-missing"' in page and 'data-testid="leader-form"' in page
    client.post(reverse("courses:learning_group_leader", args=[group.pk]), {"leader": people.teacher3.pk})
    group.refresh_from_db()
    assert group.leader == people.teacher3
    assert AuditEntry.objects.filter(action="course.learning_group_leader").count() == 1
    with pytest.raises(ValidationError, match="active member"):
        learning_group_set_leader(actor=people.teacher, group=group, leader=people.teacher2)
    with pytest.raises(ValidationError, match="leads the group already"):
        learning_group_set_leader(actor=people.teacher, group=group, leader=people.teacher3)
    learning_group_set_leader(actor=people.teacher, group=group, leader=people.leader)
    group.refresh_from_db()
    assert group.leader == people.leader


def test_group_page_for_members_and_instructors_only(client, tree, people, course):
    group = learning_group_register(
        actor=people.leader, course=course, name="Nhóm 1", scope=f"u{tree.s1.pk}", leader=people.teacher2, members=[]
    )
    url = reverse("courses:learning_group", args=[group.pk])
    for who, status in (("teacher2", 200), ("teacher", 200), ("principal", 200), ("teacher3", 404)):
        client.force_login(getattr(people, who))
        assert client.get(url).status_code == status, who
    client.force_login(people.other_school)
    assert client.get(url).status_code == 404
    client.force_login(people.teacher3)
    page = client.get(reverse("courses:learning_groups", args=[course.pk])).content.decode()
    assert "Nhóm 1" in page


def test_co_instructor_may_register_groups_from_any_audience_school(tree, people, course):
    assign_perm("courses.teach_course", people.teacher2, course)
    group = learning_group_register(
        actor=fresh(people.teacher2),
        course=course,
        name="Nhóm GV",
        scope=f"u{tree.s1.pk}",
        leader=people.teacher3,
        members=[],
    )
    assert group.enrolments.get().user == people.teacher3


# --- a bad or racing request is refused with a message, not a crash ------------------------------------


def test_new_leader_with_a_non_numeric_id_is_refused_not_a_crash(client, tree, people, course):
    group = LearningGroup.objects.create(
        course=course, name="Nhóm 1", unit=tree.s1, leader=people.teacher2, created_by=people.teacher
    )
    enrol(course=course, user=people.teacher2, group=group)
    client.force_login(people.teacher)
    url = reverse("courses:learning_group_leader", args=[group.pk])
    for value in ("abc", "", "1.5"):
        response = client.post(url, {"leader": value})
        assert response.status_code == 302
    group.refresh_from_db()
    assert group.leader_id == people.teacher2.pk


def test_a_second_registration_racing_the_first_gets_the_message_not_a_crash(tree, people):
    """The lock cannot see a row another request is inserting: simulate that request winning the race."""
    course = make_course(unit=tree.s1, author=people.teacher)
    real_filter = Enrolment.objects.select_for_update

    def late_lock(*args, **kwargs):
        qs = real_filter(*args, **kwargs)
        Enrolment.objects.create(course=course, user=people.student)  # the other click, committed first
        return qs.none()

    with (
        mock.patch.object(Enrolment.objects, "select_for_update", late_lock),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        enrolment_register(actor=people.student, course=course)
    # (Here the "other click" shares the test's transaction, so the refusal rolls it back too; in real
    # life it was committed by its own request.)
    assert "already registered" in refused.value.messages[0]
