"""Issue #16, point 4 (locks part): deadlines and locks, change requests through the approvals engine with
the principal's step alone, a mark's history and who sees it."""

from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.models import Status
from gradebook import locking, services
from gradebook.models import EntryDeadline, Lock, Mark, MarkChangeRequest, MarkChangeReview, MarkEvent
from notifications.models import Notification
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role


def _ask(book, value="8,5", reason="Chấm nhầm câu 3"):
    return locking.change_request_create(actor=book.maths, mark=book.mark, value=value, reason=reason)


# --- deadlines and locks -------------------------------------------------------------------------------


def test_a_deadline_is_set_audited_and_told_to_the_teachers(book):
    year = services.current_school_year(book.school)
    due = date(int(year[:4]), 10, 31)
    deadline = locking.deadline_set(actor=book.principal, school=book.school, semester=1, kind="gk", due=due)
    again = locking.deadline_set(
        actor=book.principal, school=book.school, semester=1, kind="gk", due=due + timedelta(1)
    )
    assert deadline.pk == again.pk and EntryDeadline.objects.get().due == due + timedelta(1)
    assert AuditEntry.objects.filter(action="gradebook.deadline_set").count() == 2
    assert Notification.objects.filter(recipient=book.maths).count() == 2


def test_a_deadline_outside_the_year_or_by_a_teacher_is_refused(book):
    with pytest.raises(ValidationError):
        locking.deadline_set(actor=book.principal, school=book.school, semester=1, kind="gk", due=date(2001, 1, 1))
    with pytest.raises(PermissionDenied):
        locking.deadline_set(actor=book.maths, school=book.school, semester=1, kind="gk", due=timezone.localdate())
    assert not EntryDeadline.objects.exists()


def test_lock_shapes_and_refusals(book):
    now = timezone.now()
    tree = book.tree
    locking.lock_set(actor=book.principal, school=book.school, semester=1, locks_at=now)  # the whole school
    locking.lock_set(actor=book.principal, school=book.school, semester=1, kind="ck", locks_at=now)
    locking.lock_set(actor=book.principal, school=book.school, semester=1, school_class=tree.c1, locks_at=now)
    other_class = make_unit_class(tree.s2)
    bad = [
        {"school_class": other_class},  # a class of another school
        {"school_class": tree.c1, "subject": "Toán"},  # subject without column
        {"subject": "Toán", "kind": "gk"},  # subject without class
        {"locks_at": now.replace(year=now.year - 5)},  # outside the school year
        {"kind": "zz"},
    ]
    for extra in bad:
        with pytest.raises(ValidationError):
            locking.lock_set(actor=book.principal, school=book.school, semester=1, **{"locks_at": now, **extra})
    with pytest.raises(PermissionDenied):
        locking.lock_set(actor=book.maths, school=book.school, semester=1, locks_at=now)
    assert Lock.objects.count() == 3
    assert AuditEntry.objects.filter(action="gradebook.lock_set").count() == 3


def make_unit_class(school):
    from tests.units.factories import make_unit
    from units.models import Unit

    return make_unit(school, Unit.Kind.CLASS, "6B9", grade=6)


def test_a_scheduled_lock_is_cancelled_a_lock_in_force_never(book):
    later = locking.lock_set(
        actor=book.principal, school=book.school, semester=1, locks_at=timezone.now() + timedelta(hours=2)
    )
    now = locking.lock_set(actor=book.principal, school=book.school, semester=1, locks_at=timezone.now())
    with pytest.raises(PermissionDenied):
        locking.lock_cancel(actor=book.maths, lock=later)
    locking.lock_cancel(actor=book.principal, lock=later)
    with pytest.raises(ValidationError) as refused:
        locking.lock_cancel(actor=book.principal, lock=now)
    assert refused.value.code == "in_force"
    assert list(Lock.objects.all()) == [now]


def test_a_locked_mark_is_refused_to_everyone_incl_a_superuser(locked_book, django_user_model):
    book = locked_book
    root = django_user_model.objects.create_superuser(username="root", password="x", email="r@x.vn")
    for actor in (book.maths, book.principal, root):
        with pytest.raises((ValidationError, PermissionDenied)) as refused:
            services.mark_set(
                actor=actor, student_id=book.students[0].pk, school_class=book.school_class, subject="Toán",
                semester=1, kind="gk", value="9",
            )  # fmt: skip
        if actor is book.maths:
            assert refused.value.code == "locked"
    assert Mark.objects.get(pk=book.mark.pk).value == Decimal("6.0")


# --- change requests -----------------------------------------------------------------------------------


def test_request_waits_for_the_principal_then_approval_writes_the_mark(locked_book):
    book = locked_book
    change = _ask(book)
    assert change.status == Status.GROUP_APPROVED
    step = MarkChangeReview.objects.get(request=change)
    assert (step.level, step.unit_id, step.decision) == ("school", book.school.pk, "submitted")
    assert Notification.objects.filter(recipient=book.principal).exists()
    locking.change_request_approve(actor=book.principal, request=change)
    mark = Mark.objects.get(pk=book.mark.pk)
    assert mark.value == Decimal("8.5") and mark.version == 2
    event = MarkEvent.objects.filter(mark=mark).last()
    assert (event.old_value, event.new_value, event.by, event.approved_by) == (
        Decimal("6.0"), Decimal("8.5"), book.maths, book.principal,
    )  # fmt: skip
    assert event.reason == "Chấm nhầm câu 3" and event.source == f"request:{change.pk}"
    change.refresh_from_db()
    assert change.status == Status.APPROVED and change.decided_by == book.principal
    assert AuditEntry.objects.filter(action="gradebook.change.approve").count() == 1


def test_a_request_approved_twice_changes_the_mark_once(locked_book):
    book = locked_book
    change = _ask(book)
    locking.change_request_approve(actor=book.principal, request=change)
    with pytest.raises(ValidationError):
        locking.change_request_approve(actor=book.vice, request=change)
    assert MarkEvent.objects.filter(mark=book.mark).count() == 2


def test_refusal_needs_a_reason_and_keeps_the_mark(locked_book):
    book = locked_book
    change = _ask(book)
    with pytest.raises(ValidationError):
        locking.change_request_refuse(actor=book.principal, request=change, reason="  ")
    locking.change_request_refuse(actor=book.principal, request=change, reason="Không có minh chứng")
    change.refresh_from_db()
    assert change.status == Status.REFUSED
    assert Mark.objects.get(pk=book.mark.pk).value == Decimal("6.0")
    assert MarkChangeReview.objects.filter(request=change, decision="refused").get().reason == "Không có minh chứng"


def test_request_refusals_change_nothing(locked_book):
    book = locked_book
    with pytest.raises(PermissionDenied):  # someone who does not teach it
        locking.change_request_create(actor=book.other, mark=book.mark, value="9", reason="x")
    with pytest.raises(ValidationError):  # no reason
        locking.change_request_create(actor=book.maths, mark=book.mark, value="9", reason=" ")
    with pytest.raises(ValidationError):  # the same mark
        locking.change_request_create(actor=book.maths, mark=book.mark, value="6", reason="x")
    with pytest.raises(ValidationError):  # a bad mark
        locking.change_request_create(actor=book.maths, mark=book.mark, value="8,75", reason="x")
    _ask(book)
    with pytest.raises(ValidationError) as second:
        _ask(book, value="9")
    assert second.value.code == "open"
    open_mark = services.mark_set(
        actor=book.maths, student_id=book.students[1].pk, school_class=book.school_class, subject="Toán",
        semester=1, kind="tx", value="7",
    )  # fmt: skip
    with pytest.raises(ValidationError) as unlocked:
        locking.change_request_create(actor=book.maths, mark=open_mark, value="8", reason="x")
    assert unlocked.value.code == "not_locked"
    assert MarkChangeRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["maths", "admin", "homeroom", "office", "other"])
def test_only_the_principal_or_a_vice_principal_decides(locked_book, who):
    book = locked_book
    change = _ask(book)
    with pytest.raises(ValidationError) as refused:
        locking.change_request_approve(actor=getattr(book, who), request=change)
    assert refused.value.code in ("forbidden", "own")
    assert Mark.objects.get(pk=book.mark.pk).value == Decimal("6.0")
    locking.change_request_approve(actor=book.vice, request=change)
    assert Mark.objects.get(pk=book.mark.pk).value == Decimal("8.5")


def test_a_stale_copy_is_reread_under_a_row_lock_before_deciding(locked_book):
    """Two principals on the same page: each decision re-reads the request with select_for_update, so the
    second sees it decided (on PostgreSQL the second waits for the first's commit)."""
    book = locked_book
    change = _ask(book)
    seen_by_vice = MarkChangeRequest.objects.get(pk=change.pk)  # read before the principal decides
    real = MarkChangeRequest.objects.select_for_update
    with patch.object(MarkChangeRequest.objects, "select_for_update", wraps=real) as locked:
        locking.change_request_approve(actor=book.principal, request=change)
        with pytest.raises(ValidationError) as stale:
            locking.change_request_refuse(actor=book.vice, request=seen_by_vice, reason="Không đồng ý")
    assert locked.call_count >= 2 and stale.value.code == "stale"
    assert Mark.objects.get(pk=book.mark.pk).value == Decimal("8.5")
    assert MarkEvent.objects.filter(mark=book.mark).count() == 2


# --- pages ---------------------------------------------------------------------------------------------


def test_the_locks_page_sets_a_lock_and_says_in_force_is_never_lifted(locked_book, client):
    book = locked_book
    url = reverse("gradebook:locks", kwargs={"school_id": book.school.pk})
    client.force_login(book.maths)
    assert client.get(url).status_code == 403
    client.force_login(book.principal)
    page = client.get(url + "?hk=1")
    assert page.status_code == 200 and "lock-rule" in page.content.decode()
    when = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url + "?hk=1", {"action": "lock", "l-kind": "ck", "l-locks_at": when})
    assert response.status_code == 302
    assert Lock.objects.filter(kind="ck", school_class=None).exists()
    bad = client.post(url + "?hk=1", {"action": "lock", "l-subject": "Toán", "l-locks_at": when})
    assert bad.status_code == 200 and Lock.objects.count() == 2


def test_change_request_pages_round_trip(locked_book, client):
    book = locked_book
    client.force_login(book.maths)
    new_url = reverse("gradebook:change_request_new", kwargs={"mark_id": book.mark.pk})
    assert client.post(new_url, {"value": "8,5", "reason": ""}).status_code == 200
    response = client.post(new_url, {"value": "8,5", "reason": "Cộng sai"})
    change = MarkChangeRequest.objects.get()
    assert response.status_code == 302
    detail = reverse("gradebook:change_request", kwargs={"pk": change.pk})
    assert client.post(detail, {"decision": "approve"}).status_code == 403  # not theirs to decide
    client.force_login(book.principal)
    assert f"#{change.pk}" in client.get(reverse("gradebook:change_requests")).content.decode()
    assert client.post(detail, {"decision": "refuse", "reason": ""}).status_code == 200
    assert client.post(detail, {"decision": "approve"}).status_code == 302
    assert Mark.objects.get(pk=book.mark.pk).value == Decimal("8.5")


@pytest.mark.parametrize(
    "who, sees", [("maths", True), ("homeroom", True), ("principal", True), ("office", True), ("student", True),
                  ("other_student", False), ("other", False)],
)  # fmt: skip
def test_who_sees_a_marks_history(locked_book, client, who, sees):
    book = locked_book
    people = {"student": book.students[0], "other_student": book.students[1]}
    client.force_login(people.get(who) or getattr(book, who))
    response = client.get(reverse("gradebook:mark_history", kwargs={"mark_id": book.mark.pk}))
    assert response.status_code == (200 if sees else 404)
    if sees:
        assert 'data-testid="event"' in response.content.decode()


def test_a_second_school_principal_decides_nothing_here(locked_book):
    book = locked_book
    stranger = make_person(unit=book.tree.s2, role=Role.PRINCIPAL)
    change = _ask(book)
    with pytest.raises(ValidationError):
        locking.change_request_approve(actor=stranger, request=change)


@pytest.mark.parametrize("who", ["other", "homeroom", "principal", "admin", "office", "student"])
def test_only_the_subjects_teacher_asks(locked_book, who):
    book = locked_book
    actor = book.students[0] if who == "student" else getattr(book, who)
    with pytest.raises(PermissionDenied):
        locking.change_request_create(actor=actor, mark=book.mark, value="9", reason="Chấm lại")
    assert not MarkChangeRequest.objects.exists()


def test_other_kinds_keep_their_group_step(locked_book):
    """The engine's default stays group → school: only the mark change starts at the school."""
    from approvals.services import ApprovalKind
    from materials.services.questions import BANK

    assert BANK.first_level == "group" and locking.CHANGES.first_level == "school"
    assert ApprovalKind.__dataclass_fields__["first_level"].default == "group"
