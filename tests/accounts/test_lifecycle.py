"""Account lifecycle: deactivate and reactivate within the quota, transfers between schools, moving a
student to another class, moving a class up a grade; the pages for the right role, the wrong role and
the wrong scope; no deletion in the admin."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AccountQuota, TransferRequest, User
from accounts.services.lifecycle import (
    account_deactivate,
    account_reactivate,
    student_move_class,
    transfer_accept,
    transfer_cancel,
    transfer_refuse,
    transfer_request,
)
from accounts.services.quotas import quota_check, quota_usage
from courses.models import Course
from courses.services import TopicSpec, topics_bulk_create
from notifications.models import Notification
from tests.accounts.factories import UserFactory, make_person
from tests.units.factories import make_unit
from units.models import AuditEntry, Role, RoleAssignment, Unit
from units.permissions import can_view_unit
from units.services import audit_log, class_promote, class_set_homeroom_teacher, role_assign

K = Unit.Kind


@pytest.fixture
def people(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=10)
    AccountQuota.objects.create(school=tree.s2, teachers=10, students=10)
    s2_class = make_unit(tree.s2, K.CLASS, "6A2", grade=6)
    return SimpleNamespace(
        admin1=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Một"),
        admin2=make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Hai"),
        admin3=make_person(unit=tree.s3, role=Role.SCHOOL_ADMIN),
        principal1=make_person(unit=tree.s1, role=Role.PRINCIPAL),
        teacher=make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Thị Lan"),
        colleague=make_person(unit=tree.g1, role=Role.TEACHER),
        student=make_person(unit=tree.c1, role=Role.STUDENT, full_name="Trần Văn Bình"),
        s2_class=Unit.objects.get(pk=s2_class.pk),
    )


def state(*people_list):
    """Everything a lifecycle action may change, to show that a refusal changes nothing."""
    return {
        "users": [
            User.objects.filter(pk=p.pk).values("is_active", "deactivated_reason", "unit_id").get() for p in people_list
        ],
        "roles": sorted(RoleAssignment.objects.values_list("user_id", "unit_id", "role")),
        "transfers": sorted(TransferRequest.objects.values_list("id", "status", "decided_by_id")),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "units": sorted(Unit.objects.values_list("id", "name", "grade")),
    }


def refused(call, *watch) -> ValidationError:
    """Run a service call that must be refused; check that nothing changed. Messages in English."""
    before = state(*watch)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        call()
    assert state(*watch) == before
    return info.value


def message_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Deactivate and reactivate ---------------------------------------------------------------------


def test_deactivation_needs_a_reason_and_frees_the_quota_place(tree, people):
    AccountQuota.objects.filter(school=tree.s1).update(students=1)
    with pytest.raises(ValidationError):
        quota_check(school=tree.s1, account_type="student", adding=1)
    refused(lambda: account_deactivate(actor=people.admin1, account=people.student, reason="  "), people.student)

    account_deactivate(actor=people.admin1, account=people.student, reason="Chuyển đi nơi khác")

    people.student.refresh_from_db()
    assert not people.student.is_active
    assert people.student.deactivated_reason == "Chuyển đi nơi khác"
    assert quota_usage(school=tree.s1)["student"] == {"limit": 1, "used": 0, "remaining": 1}
    quota_check(school=tree.s1, account_type="student", adding=1)  # the place is free again
    # Roles stay (reactivating brings them back) but an inactive person reaches nothing.
    assert RoleAssignment.objects.filter(user=people.student, unit=tree.c1).exists()
    entry = AuditEntry.objects.filter(action="account.deactivate").get()
    assert entry.actor == people.admin1 and entry.unit == tree.s1 and entry.target_id == str(people.student.pk)
    assert entry.before == {"is_active": True}
    assert entry.after == {"is_active": False, "reason": "Chuyển đi nơi khác"}


def test_deactivating_twice_or_oneself_is_refused(tree, people):
    account_deactivate(actor=people.admin1, account=people.teacher, reason="Nghỉ hưu")
    exc = refused(lambda: account_deactivate(actor=people.admin1, account=people.teacher, reason="x"), people.teacher)
    assert "already deactivated" in message_of(exc)
    exc = refused(lambda: account_deactivate(actor=people.admin1, account=people.admin1, reason="x"), people.admin1)
    assert "your own account" in message_of(exc)


def test_reactivation_is_refused_with_the_quota_message_when_the_school_is_full(tree, people):
    AccountQuota.objects.filter(school=tree.s1).update(students=1)
    account_deactivate(actor=people.admin1, account=people.student, reason="Nghỉ học")
    make_person(unit=tree.c2, role=Role.STUDENT)  # takes the freed place

    exc = refused(lambda: account_reactivate(actor=people.admin1, account=people.student), people.student)
    assert exc.error_list[0].code == "over_quota"
    assert "Over quota" in message_of(exc) and "0 remain" in message_of(exc)

    AccountQuota.objects.filter(school=tree.s1).update(students=2)
    account_reactivate(actor=people.admin1, account=people.student)
    people.student.refresh_from_db()
    assert people.student.is_active and people.student.deactivated_reason == ""
    entry = AuditEntry.objects.filter(action="account.reactivate").get()
    assert entry.before == {"is_active": False, "reason": "Nghỉ học"} and entry.after == {"is_active": True}
    exc = refused(lambda: account_reactivate(actor=people.admin1, account=people.student), people.student)
    assert "already active" in message_of(exc)


# --- Transfers -------------------------------------------------------------------------------------


def test_transfer_request_notifies_the_receiving_admins(tree, people):
    transfer = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2, note="Theo nguyện vọng")
    assert (transfer.status, transfer.from_school, transfer.to_school) == ("pending", tree.s1, tree.s2)
    assert transfer.requested_by == people.admin1
    note = Notification.objects.get(recipient=people.admin2)
    assert people.teacher.full_name in note.title
    assert note.url == reverse("accounts:transfers", args=[tree.s2.pk])
    assert not Notification.objects.filter(recipient=people.admin3).exists()
    entry = AuditEntry.objects.get(action="transfer.request")
    assert entry.unit == tree.s1 and entry.after["to"] == tree.s2.name
    people.teacher.refresh_from_db()
    assert people.teacher.unit == tree.s1  # nothing moves until the receiving school accepts


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("s1", "already belongs to"),
        ("office_a1", "is not a school"),
        ("g3", "is not a school"),
    ],
)
def test_transfer_request_to_the_same_school_or_to_a_non_school_is_refused(tree, people, to, expected):
    exc = refused(
        lambda: transfer_request(actor=people.admin1, account=people.teacher, to_school=getattr(tree, to)),
        people.teacher,
    )
    assert expected in message_of(exc)


def test_a_second_pending_transfer_is_refused_with_a_message(tree, people):
    transfer_request(actor=people.admin1, account=people.student, to_school=tree.s2)
    exc = refused(
        lambda: transfer_request(actor=people.admin1, account=people.student, to_school=tree.s3), people.student
    )
    assert "already has a transfer waiting" in message_of(exc)


def test_the_database_constraint_on_pending_transfers_becomes_the_same_message(tree, people):
    """Two admins sending at the same moment both pass the check; the constraint stops the second."""
    transfer_request(actor=people.admin1, account=people.student, to_school=tree.s2)
    # The check before saving sees nothing (the other request is not committed yet); afterwards it does.
    with mock.patch("django.db.models.query.QuerySet.exists", side_effect=[False, True]):
        exc = refused(
            lambda: transfer_request(actor=people.admin1, account=people.student, to_school=tree.s3), people.student
        )
    assert "already has a transfer waiting" in message_of(exc)


def test_inactive_and_staff_accounts_are_not_transferred(tree, people):
    account_deactivate(actor=people.admin1, account=people.colleague, reason="Nghỉ hưu")
    exc = refused(
        lambda: transfer_request(actor=people.admin1, account=people.colleague, to_school=tree.s2), people.colleague
    )
    assert "deactivated" in message_of(exc)
    exc = refused(
        lambda: transfer_request(actor=people.admin1, account=people.principal1, to_school=tree.s2), people.principal1
    )
    assert "Only teacher and student accounts" in message_of(exc)


def test_accepting_moves_the_teacher_and_keeps_their_history_and_posts(tree, people):
    teacher = people.teacher  # who also leads the group and is a homeroom teacher
    role_assign(actor=people.admin1, user=teacher, unit=tree.g1, role=Role.GROUP_LEADER)
    class_set_homeroom_teacher(actor=people.admin1, school_class=tree.c1, teacher=teacher)
    topics_bulk_create(
        specs=[
            TopicSpec(
                title="Chuyên đề Toán 6", unit_id=tree.g1.pk, author_id=teacher.pk, body="", created_at=timezone.now()
            )
        ]
    )
    course = Course.objects.get(title="Chuyên đề Toán 6")
    own_entry = audit_log(actor=teacher, action="course.publish", unit=tree.g1, target=course)

    transfer = transfer_request(actor=people.admin1, account=teacher, to_school=tree.s2)
    transfer_accept(actor=people.admin2, transfer=transfer, unit=tree.g3)

    teacher.refresh_from_db()
    assert teacher.unit == tree.s2 and teacher.is_active
    assert list(RoleAssignment.objects.filter(user=teacher).values_list("unit_id", "role")) == [(tree.g3.pk, "teacher")]
    assert Unit.objects.get(pk=tree.c1.pk).homeroom_teacher is None
    # Nothing copied or deleted: the same account keeps what it made, still attributed to it.
    assert Course.objects.get(pk=course.pk).author == teacher
    assert AuditEntry.objects.get(pk=own_entry.pk).actor == teacher
    assert User.objects.filter(full_name=teacher.full_name).count() == 1
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == ("accepted", people.admin2)
    assert transfer.decided_at is not None
    accept = AuditEntry.objects.get(action="transfer.accept")
    assert accept.unit == tree.s2 and accept.actor == people.admin2
    assert accept.before["school"] == tree.s1.name and accept.after["school"] == tree.s2.name
    assert AuditEntry.objects.get(action="transfer.leave").unit == tree.s1
    assert AuditEntry.objects.filter(action="role.revoke", target_id=str(teacher.pk)).count() == 2
    assert Notification.objects.filter(recipient=people.admin1).exists()
    assert Notification.objects.filter(recipient=teacher).exists()
    # The teacher now reaches the new school, not the old one.
    teacher = User.objects.get(pk=teacher.pk)
    assert can_view_unit(teacher, tree.s2) and not can_view_unit(teacher, tree.s1)


def test_accepting_a_student_places_them_in_a_class_of_the_receiving_school(tree, people):
    transfer = transfer_request(actor=people.admin1, account=people.student, to_school=tree.s2)
    exc = refused(
        lambda: transfer_accept(actor=people.admin2, transfer=transfer, unit=tree.c2), people.student
    )  # a class of the sending school
    assert "Choose a class of" in message_of(exc)
    exc = refused(lambda: transfer_accept(actor=people.admin2, transfer=transfer, unit=tree.g3), people.student)
    assert "Choose a class of" in message_of(exc)  # a group, for a student

    transfer_accept(actor=people.admin2, transfer=transfer, unit=people.s2_class)
    people.student.refresh_from_db()
    assert people.student.unit == tree.s2
    assert list(RoleAssignment.objects.filter(user=people.student).values_list("unit_id", "role")) == [
        (people.s2_class.pk, "student")
    ]


def test_accepting_is_refused_when_the_receiving_school_is_full(tree, people):
    AccountQuota.objects.filter(school=tree.s2).update(teachers=1)
    make_person(unit=tree.g3, role=Role.TEACHER)
    transfer = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    exc = refused(lambda: transfer_accept(actor=people.admin2, transfer=transfer, unit=tree.g3), people.teacher)
    assert exc.error_list[0].code == "over_quota"
    assert tree.s2.name in message_of(exc)
    # Deactivating someone at the receiving school frees a place.
    account_deactivate(
        actor=people.admin2, account=User.objects.filter(unit=tree.s2, account_type="teacher").get(), reason="Nghỉ hưu"
    )
    transfer_accept(actor=people.admin2, transfer=transfer, unit=tree.g3)
    assert User.objects.get(pk=people.teacher.pk).unit == tree.s2


def test_refuse_needs_a_reason_and_changes_nobody(tree, people):
    transfer = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    exc = refused(lambda: transfer_refuse(actor=people.admin2, transfer=transfer, reason=" "), people.teacher)
    assert "reason" in message_of(exc)
    transfer_refuse(actor=people.admin2, transfer=transfer, reason="Đủ giáo viên")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_note) == ("refused", "Đủ giáo viên")
    assert User.objects.get(pk=people.teacher.pk).unit == tree.s1
    assert RoleAssignment.objects.filter(user=people.teacher, unit=tree.g1).exists()
    assert Notification.objects.filter(recipient=people.admin1, body="Đủ giáo viên").exists()
    assert AuditEntry.objects.get(action="transfer.refuse").after["reason"] == "Đủ giáo viên"


def test_cancel_then_ask_again_and_decided_transfers_cannot_be_answered(tree, people):
    transfer = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    transfer_cancel(actor=people.admin1, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    for call in (
        lambda: transfer_accept(actor=people.admin2, transfer=transfer, unit=tree.g3),
        lambda: transfer_refuse(actor=people.admin2, transfer=transfer, reason="x"),
        lambda: transfer_cancel(actor=people.admin1, transfer=transfer),
    ):
        assert "no longer waiting" in message_of(refused(call, people.teacher))
    again = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s3)
    assert again.status == "pending"


def test_deactivation_waits_for_a_pending_transfer(tree, people):
    transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    exc = refused(lambda: account_deactivate(actor=people.admin1, account=people.teacher, reason="x"), people.teacher)
    assert "cancel it first" in message_of(exc)


# --- Classes -------------------------------------------------------------------------------------------


def test_moving_a_student_to_another_class(tree, people):
    student_move_class(actor=people.admin1, student=people.student, to_class=tree.c2)
    assert list(RoleAssignment.objects.filter(user=people.student).values_list("unit_id", flat=True)) == [tree.c2.pk]
    entry = AuditEntry.objects.get(action="student.move_class")
    assert entry.before == {"class": "6A1"} and entry.after == {"class": "7A1"}
    assert entry.unit == tree.s1 and entry.actor == people.admin1


@pytest.mark.parametrize(
    ("who", "where", "expected"),
    [
        ("teacher", "c2", "not a student"),
        ("student", "s2_class", "Choose a class of"),
        ("student", "g1", "Choose a class of"),
        ("student", "c1", "already in"),
    ],
)
def test_moving_class_refusals(tree, people, who, where, expected):
    to_class = getattr(people, where, None) or getattr(tree, where)
    person = getattr(people, who)
    exc = refused(lambda: student_move_class(actor=people.admin1, student=person, to_class=to_class), person)
    assert expected in message_of(exc)


def test_class_moves_up_from_the_highest_grade_down(tree, people):
    exc = refused(lambda: class_promote(actor=people.admin1, school_class=tree.c1))
    assert "already has a class named 7A1" in message_of(exc)  # 7A1 has not moved up yet

    class_promote(actor=people.admin1, school_class=tree.c2)
    promoted = class_promote(actor=people.admin1, school_class=tree.c1)
    assert (promoted.name, promoted.grade) == ("7A1", 7)
    assert Unit.objects.get(pk=tree.c2.pk).name == "8A1"
    # Its students move with it: their role is held at the same class.
    assert RoleAssignment.objects.filter(user=people.student, unit=tree.c1, role="student").exists()
    entry = AuditEntry.objects.filter(action="class.promote", target_id=str(tree.c1.pk)).get()
    assert entry.before == {"name": "6A1", "grade": 6} and entry.after == {"name": "7A1", "grade": 7}
    assert entry.actor == people.admin1


@pytest.mark.parametrize(
    ("level", "parent", "grade", "name"),
    [("th", "office_a1", 5, "5A"), ("thcs", "office_a1", 9, "9A1"), ("thpt", "dept_a", 12, "12A1")],
)
def test_the_last_grade_of_each_school_level_cannot_move_up(tree, level, parent, grade, name):
    school = make_unit(getattr(tree, parent), K.SCHOOL, school_level=level)
    last = make_unit(school, K.CLASS, name, grade=grade)
    exc = refused(lambda: class_promote(actor=None, school_class=last))
    assert f"grade {grade}, the last grade" in message_of(exc)
    below = make_unit(school, K.CLASS, f"{grade - 1}B", grade=grade - 1)
    assert class_promote(actor=None, school_class=below).name == f"{grade}B"


def test_class_promotion_names(tree):
    named = make_unit(tree.s2, K.CLASS, "Lớp 10A1", grade=6)  # odd names keep their shape
    assert class_promote(actor=None, school_class=make_unit(tree.t1, K.CLASS, "10A10", grade=10)).name == "11A10"
    assert class_promote(actor=None, school_class=make_unit(tree.s2, K.CLASS, "6a6", grade=6)).name == "7a6"
    assert class_promote(actor=None, school_class=make_unit(tree.s2, K.CLASS, "Lớp 6 Chuyên", grade=6)).name == (
        "Lớp 7 Chuyên"
    )
    exc = refused(lambda: class_promote(actor=None, school_class=named))
    assert "does not show its grade" in message_of(exc)
    assert class_promote(actor=None, school_class=named, new_name=" Lớp  7A1 ").name == "Lớp 7A1"
    exc = refused(lambda: class_promote(actor=None, school_class=tree.g3))
    assert "Only a class" in message_of(exc)
    clash = make_unit(tree.s2, K.CLASS, "8a5", grade=8)
    seventh = make_unit(tree.s2, K.CLASS, "7A5", grade=7)
    exc = refused(lambda: class_promote(actor=None, school_class=seventh, new_name="8A5"))
    assert clash.name in message_of(exc)


# --- Pages -------------------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


def last_level(response):
    """The level of the latest message waiting to be shown."""
    names = {messages.SUCCESS: "success", messages.ERROR: "error", messages.WARNING: "warning", messages.INFO: "info"}
    return [names[m.level] for m in get_messages(response.wsgi_request)][-1]


def test_account_page_for_the_school_admin_shows_the_actions_and_the_include_points(client, tree, people):
    client.force_login(people.admin1)
    response = client.get(url("account_detail", people.student.pk))
    assert response.status_code == 200
    context = response.context
    assert context["account"] == people.student and context["can_manage"] is True
    assert context["deactivate_form"] and context["move_form"] and context["can_transfer"]
    names = {t.name for t in response.templates}
    assert {
        "accounts/components/account_photo_admin.html",
        "accounts/components/account_credentials_admin.html",
    } <= names
    page = response.content.decode()
    assert "Trần Văn Bình" in page and "6A1" in page
    assert url("account_deactivate", people.student.pk) in page


@pytest.mark.parametrize(
    ("who", "status", "can_manage"),
    [("principal1", 200, False), ("teacher", 200, False), ("colleague", 404, None), ("admin2", 404, None)],
)
def test_account_page_scope(client, tree, people, who, status, can_manage):
    """The principal sees but changes nothing; the person sees themself; a colleague and another
    school's admin get a 404."""
    client.force_login(getattr(people, who))
    response = client.get(url("account_detail", people.teacher.pk))
    assert response.status_code == status
    if status == 200:
        assert response.context["can_manage"] is can_manage
        assert "deactivate_form" not in response.context
        assert url("account_deactivate", people.teacher.pk) not in response.content.decode()


@pytest.mark.parametrize("entries", [2, 80])
def test_account_page_costs_the_same_queries_whatever_its_history(
    client, tree, people, entries, django_assert_max_num_queries
):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=people.admin1,
                unit=tree.s1,
                action="account.password_set",
                target_type_id=AuditEntry.objects.get(
                    action="role.assign", target_id=str(people.student.pk)
                ).target_type_id,
                target_id=str(people.student.pk),
                after={"must_change": True},
            )
            for _ in range(entries)
        ]
    )
    transfer_request(actor=people.admin1, account=people.student, to_school=tree.s2)
    client.force_login(people.admin1)
    with django_assert_max_num_queries(16):
        response = client.get(url("account_detail", people.student.pk))
    assert response.status_code == 200
    assert len(response.context["history"]) == min(entries + 2, 20)


def test_deactivate_and_reactivate_through_the_page(client, tree, people):
    client.force_login(people.admin1)
    target = url("account_deactivate", people.teacher.pk)
    # Without the confirmation box nothing happens and the form says why.
    response = client.post(target, {"reason": "retired"})
    assert response.status_code == 200 and response.context["deactivate_form"].errors["confirm"]
    assert User.objects.get(pk=people.teacher.pk).is_active
    response = client.post(target, {"reason": "other", "details": "", "confirm": "on"})
    assert response.context["deactivate_form"].errors["details"]
    assert User.objects.get(pk=people.teacher.pk).is_active

    response = client.post(target, {"reason": "retired", "details": "QĐ 12/QĐ-UBND", "confirm": "on"})
    assert response.status_code == 302 and response.url == url("account_detail", people.teacher.pk)
    teacher = User.objects.get(pk=people.teacher.pk)
    assert not teacher.is_active and teacher.deactivated_reason.endswith(": QĐ 12/QĐ-UBND")
    assert last_level(response) == "success"

    AccountQuota.objects.filter(school=tree.s1).update(teachers=1)  # the colleague holds the only place
    response = client.post(url("account_reactivate", people.teacher.pk))
    assert response.status_code == 302 and last_level(response) == "error"
    assert not User.objects.get(pk=people.teacher.pk).is_active
    AccountQuota.objects.filter(school=tree.s1).update(teachers=5)
    response = client.post(url("account_reactivate", people.teacher.pk))
    assert last_level(response) == "success" and User.objects.get(pk=people.teacher.pk).is_active


@pytest.mark.parametrize("who", ["teacher", "principal1", "admin2"])
def test_actions_out_of_role_or_scope_are_404_and_change_nothing(client, tree, people, who):
    client.force_login(getattr(people, who))
    before = state(people.student)
    posts = [
        (url("account_deactivate", people.student.pk), {"reason": "left", "confirm": "on"}),
        (url("account_reactivate", people.student.pk), {}),
        (url("account_move_class", people.student.pk), {"to_class": tree.c2.pk}),
        (url("account_transfer", people.student.pk), {"to_school": tree.s3.pk}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 404, target
    assert client.get(url("account_transfer", people.student.pk)).status_code == 404
    assert state(people.student) == before


def test_actions_need_post(client, tree, people):
    client.force_login(people.admin1)
    assert client.get(url("account_deactivate", people.student.pk)).status_code == 405


def test_move_class_through_the_page(client, tree, people):
    client.force_login(people.admin1)
    response = client.post(url("account_move_class", people.student.pk), {"to_class": people.s2_class.pk})
    assert response.status_code == 200 and response.context["move_form"].errors["to_class"]
    response = client.post(url("account_move_class", people.student.pk), {"to_class": tree.c1.pk})
    assert response.status_code == 200 and response.context["move_form"].errors["to_class"]  # already there
    response = client.post(url("account_move_class", people.student.pk), {"to_class": tree.c2.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=people.student).unit_id == tree.c2.pk


def test_transfer_page_finds_schools_by_name_without_accents_or_by_code(client, tree, people):
    client.force_login(people.admin1)
    page = url("account_transfer", people.teacher.pk)
    results = client.get(page, {"q": "tien tan"}).context["results"]
    assert results == [(tree.s2, tree.office_a1.name)]
    assert [s for s, _p in client.get(page, {"q": tree.s3.code.lower()}).context["results"]] == [tree.s3]
    assert client.get(page, {"q": "tran phu"}).context["results"] == []  # not the teacher's own school
    partial = client.get(page, {"q": "yen thang"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Trường THCS Yên Thắng" in partial and "<html" not in partial

    response = client.post(page, {"to_school": tree.s1.pk, "q": "tran"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not TransferRequest.objects.exists()
    response = client.post(page, {"to_school": tree.s2.pk, "note": "Chuyển công tác"})
    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    assert (transfer.to_school, transfer.note, transfer.requested_by) == (tree.s2, "Chuyển công tác", people.admin1)


def test_receiving_school_accepts_from_its_transfers_page(client, tree, people):
    transfer = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    client.force_login(people.admin2)
    response = client.get(url("transfers", tree.s2.pk))
    assert response.status_code == 200
    [(listed, places)] = response.context["incoming"]
    assert listed == transfer and places == [tree.g3]
    assert "Nguyễn Thị Lan" in response.content.decode()

    response = client.post(url("transfer_accept", transfer.pk), {"unit": tree.g1.pk})  # not one of ours
    assert last_level(response) == "error" and TransferRequest.objects.get().status == "pending"
    response = client.post(url("transfer_accept", transfer.pk), {"unit": tree.g3.pk})
    assert response.status_code == 302 and response.url == url("transfers", tree.s2.pk)
    assert last_level(response) == "success"
    assert User.objects.get(pk=people.teacher.pk).unit == tree.s2


def test_refuse_and_cancel_through_the_pages(client, tree, people):
    transfer = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    client.force_login(people.admin2)
    response = client.post(url("transfer_refuse", transfer.pk), {"reason": ""})
    assert last_level(response) == "error" and TransferRequest.objects.get().status == "pending"
    assert client.post(url("transfer_cancel", transfer.pk)).status_code == 404  # only the sender cancels
    client.force_login(people.admin1)
    assert client.post(url("transfer_accept", transfer.pk), {"unit": tree.g1.pk}).status_code == 404
    response = client.post(url("transfer_cancel", transfer.pk), {"next": url("transfers", tree.s1.pk)})
    assert response.status_code == 302 and response.url == url("transfers", tree.s1.pk)
    assert TransferRequest.objects.get().status == "cancelled"
    response = client.post(url("transfer_cancel", transfer.pk), {"next": "https://evil.example/"})
    assert response.url == url("account_detail", people.teacher.pk) and last_level(response) == "error"

    again = transfer_request(actor=people.admin1, account=people.teacher, to_school=tree.s2)
    client.force_login(people.admin2)
    response = client.post(url("transfer_refuse", again.pk), {"reason": "Đủ giáo viên"})
    assert last_level(response) == "success" and TransferRequest.objects.get(pk=again.pk).status == "refused"


@pytest.mark.parametrize(("who", "status"), [("admin2", 200), ("admin1", 404), ("admin3", 404), ("teacher", 404)])
def test_transfers_page_scope(client, tree, people, who, status):
    transfer = transfer_request(actor=people.admin1, account=people.student, to_school=tree.s2)
    client.force_login(getattr(people, who))
    assert client.get(url("transfers", tree.s2.pk)).status_code == status
    if who != "admin2":
        client.post(url("transfer_accept", transfer.pk), {"unit": people.s2_class.pk})
        client.post(url("transfer_refuse", transfer.pk), {"reason": "x"})
        assert TransferRequest.objects.get().status == "pending"


def test_promote_a_class_from_its_page_after_confirming(client, tree, people):
    client.force_login(people.admin1)
    page = url("class_promote", tree.c2.pk)
    response = client.get(page)
    assert response.status_code == 200 and response.context["proposed"] == "8A1"
    assert not response.context["is_final"]
    response = client.post(page, {"new_name": "8A1"})  # no confirmation
    assert response.status_code == 200 and response.context["form"].errors["confirm"]
    assert Unit.objects.get(pk=tree.c2.pk).grade == 7
    response = client.post(url("class_promote", tree.c1.pk), {"new_name": "7A1", "confirm": "on"})
    assert response.status_code == 200 and response.context["form"].errors["new_name"]  # 7A1 is taken
    response = client.post(page, {"new_name": "8A1", "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("units:space", args=[tree.c2.pk])
    assert Unit.objects.filter(pk=tree.c2.pk, name="8A1", grade=8).exists()


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [("principal1", "c1", 200), ("teacher", "c1", 404), ("admin2", "c1", 404), ("admin1", "g1", 404)],
)
def test_promote_page_scope(client, tree, people, who, target, status):
    client.force_login(getattr(people, who))
    assert client.get(url("class_promote", getattr(tree, target).pk)).status_code == status
    client.post(url("class_promote", getattr(tree, target).pk), {"confirm": "on"})
    if status == 404:
        assert Unit.objects.get(pk=tree.c1.pk).grade == 6


def test_final_grade_class_page_explains_instead_of_offering_the_form(client, tree, people):
    last = make_unit(tree.s1, K.CLASS, "9A1", grade=9)
    client.force_login(people.admin1)
    response = client.get(url("class_promote", last.pk))
    assert response.context["is_final"] and b'data-testid="final-grade"' in response.content
    assert b'data-testid="promote-form"' not in response.content


# --- Admin ---------------------------------------------------------------------------------------------


def test_admin_cannot_delete_users_and_deactivates_them_with_a_reason(client, tree, people):
    superuser = UserFactory(is_staff=True, is_superuser=True, account_type="staff")
    client.force_login(superuser)
    changelist = "/quan-tri/accounts/user/"
    assert client.get(f"{changelist}{people.teacher.pk}/delete/").status_code == 403
    actions = [name for name, _label in client.get(changelist).context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "deactivate_selected" in actions
    data = {"action": "deactivate_selected", "_selected_action": [people.teacher.pk, people.student.pk]}
    # First the intermediate page, asking why.
    response = client.post(changelist, data)
    assert response.status_code == 200 and b'name="reason"' in response.content
    assert User.objects.get(pk=people.teacher.pk).is_active
    response = client.post(changelist, {**data, "confirm": "yes", "reason": "Hết hợp đồng"})
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[people.teacher.pk, people.student.pk], is_active=True).exists()
    assert AuditEntry.objects.filter(action="account.deactivate", actor=superuser).count() == 2
    assert User.objects.filter(pk=people.teacher.pk).exists()


def test_a_school_admin_cannot_take_over_accounts_with_authority(tree):
    """Review finding: an admin re-issuing the principal's credential would log in as the principal."""
    from accounts.permissions import can_manage_account
    from units.services import role_assign

    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="teacher")
    co_admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="teacher")
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL, account_type="teacher")
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    double_hat = make_person(unit=tree.g1, role=Role.TEACHER)
    role_assign(actor=None, user=double_hat, unit=tree.office_a1, role=Role.OFFICE_STAFF)
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)

    assert can_manage_account(admin, teacher)
    assert not can_manage_account(admin, principal)
    assert not can_manage_account(admin, co_admin)
    assert not can_manage_account(admin, admin)
    assert not can_manage_account(admin, double_hat)
    # The Office above looks after the school's admins and principal.
    assert can_manage_account(office, principal) and can_manage_account(office, co_admin)
    assert not can_manage_account(office, double_hat)  # holds a role at the Office itself
