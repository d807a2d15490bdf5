"""Entry deadlines, locks and change requests of a school's grade book (issue #16, point 4).

The principal (a vice-principal, the school admin) sets a deadline per column kind and locks part of the
book from a date-time. A lock still scheduled may be cancelled; a lock in force is never lifted: from then
on a mark changes only through a change request the principal approves (the approvals engine, its first
and only step at the school), which writes the cell with `services.mark_write` in the same transaction.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import services as approval
from approvals.models import OPEN_STATUSES
from approvals.models import Level as ApprovalLevel
from approvals.models import Status as ApprovalStatus
from notifications.services import notify
from truonghoc.formatting import date_text
from truonghoc.text import nfc
from units.models import Unit
from units.selectors import school_year_labelled
from units.services import audit_log

from .models import EntryDeadline, Lock, Mark, MarkChangeRequest, MarkChangeReview, MarkKind, Semester
from .permissions import can_decide_changes, can_enter_marks, can_run_gradebook
from .services import (
    Cell,
    _check_column,
    current_school_year,
    lock_covering,
    mark_write,
    read_gradebook_mark,
    subject_rule,
)


def _school(unit: Unit) -> Unit:
    if not unit.is_school or not unit.is_active:
        raise ValidationError(_("%(name)s is not an open school.") % {"name": unit})
    return unit


def _run(actor, school: Unit) -> None:
    if not can_run_gradebook(actor, school):
        raise PermissionDenied(_("Only the principal, a vice-principal or the school admin sets deadlines and locks."))


def _year_dates(school: Unit, school_year: str):
    try:
        first_year = int(school_year[:4])
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a school year.")) from None
    return school_year_labelled(first_year, school)


def _semester(semester) -> int:
    if semester not in (Semester.YEAR, Semester.FIRST, Semester.SECOND):
        raise ValidationError(_("Choose semester 1, semester 2 or the whole year."))
    return int(semester)


def _teachers_of(school: Unit, school_year: str, semester: int, *, school_class=None, subject="") -> list:
    """Who teaches (or is homeroom teacher) where a deadline or lock applies: they are told of it."""
    from .models import TeachingAssignment

    rows = TeachingAssignment.objects.filter(school=school, school_year=school_year).select_related("teacher")
    if semester:
        rows = rows.filter(semester=semester)
    if school_class is not None:
        rows = rows.filter(school_class=school_class)
    if subject:
        rows = rows.filter(subject=subject)
    people = {row.teacher.pk: row.teacher for row in rows if row.teacher.is_active}
    classes = [school_class] if school_class is not None else Unit.objects.children(school, kinds=[Unit.Kind.CLASS])
    for klass in classes:
        teacher = klass.homeroom_teacher
        if teacher is not None and teacher.is_active:
            people.setdefault(teacher.pk, teacher)
    return sorted(people.values(), key=lambda person: person.pk)


def locks_url(school: Unit, semester: int) -> str:
    return reverse("gradebook:locks", kwargs={"school_id": school.pk}) + f"?hk={semester}"


# --- deadlines -----------------------------------------------------------------------------------------


@transaction.atomic
def deadline_set(
    *, actor, school: Unit, semester: int, kind: str, due: date, school_year: str | None = None
) -> EntryDeadline:
    """The day by which a kind of column must be filled in a semester (replacing the one set before);
    inside the school year; audited; the school's teachers are told."""
    _school(school)
    _run(actor, school)
    semester = _semester(semester)
    school_year = school_year or current_school_year(school)
    if kind not in MarkKind.values:
        raise ValidationError({"kind": [_("Choose a column.")]})
    year = _year_dates(school, school_year)
    if not isinstance(due, date) or not year.start <= due <= year.end:
        raise ValidationError({"due": [_("Choose a day inside the school year %(year)s.") % {"year": year.label_text}]})
    deadline = (
        EntryDeadline.objects.select_for_update()
        .filter(school=school, school_year=school_year, semester=semester, kind=kind)
        .first()
    )
    before = {"due": deadline.due.isoformat()} if deadline else None
    if deadline is None:
        deadline = EntryDeadline(school=school, school_year=school_year, semester=semester, kind=kind)
    deadline.due, deadline.set_by, deadline.updated_at = due, actor, timezone.now()
    deadline.full_clean(validate_unique=False)
    deadline.save()
    audit_log(
        actor=actor,
        action="gradebook.deadline_set",
        unit=school,
        target=deadline,
        before=before,
        after={"semester": semester, "kind": kind, "due": due.isoformat()},
    )
    notify(
        recipients=_teachers_of(school, school_year, semester),
        title=_("Deadline for %(column)s: %(day)s") % {"column": deadline.get_kind_display(), "day": date_text(due)},
        url=locks_url(school, semester),
    )
    return deadline


# --- locks ---------------------------------------------------------------------------------------------


def lock_scope_text(lock: Lock) -> str:
    if lock.school_class_id and lock.subject and lock.kind:
        return _("Column %(column)s of %(subject)s in %(name)s") % {
            "column": lock.get_kind_display(),
            "subject": lock.subject,
            "name": lock.school_class.name,
        }
    if lock.school_class_id:
        return _("Class %(name)s") % {"name": lock.school_class.name}
    if lock.kind:
        return _("Column %(column)s in every class") % {"column": lock.get_kind_display()}
    return _("The whole school")


@transaction.atomic
def lock_set(
    *,
    actor,
    school: Unit,
    semester: int,
    locks_at: datetime,
    school_class: Unit | None = None,
    subject: str = "",
    kind: str = "",
    school_year: str | None = None,
) -> Lock:
    """Lock one column (class + subject + column), a column across the school (column alone), a class, or
    the whole school (nothing) from `locks_at`, which falls inside the school year. Audited; the teachers
    concerned are told."""
    _school(school)
    _run(actor, school)
    semester = _semester(semester)
    school_year = school_year or current_school_year(school)
    subject = nfc(subject or "")
    kind = kind or ""
    if kind and kind not in MarkKind.values:
        raise ValidationError({"kind": [_("Choose a column.")]})
    if school_class is not None and (school_class.kind != Unit.Kind.CLASS or school_class.school_path != school.path):
        raise ValidationError({"school_class": [_("%(name)s is not a class of this school.") % {"name": school_class}]})
    shape = (school_class is not None, bool(subject), bool(kind))
    if shape not in ((True, True, True), (False, False, True), (True, False, False), (False, False, False)):
        raise ValidationError(
            _("Lock one column (class, subject and column), a column in every class, a class, or the whole school.")
        )
    if subject:
        subject_rule(school_year=school_year, school_class=school_class, subject=subject)
    year = _year_dates(school, school_year)
    if not isinstance(locks_at, datetime) or not year.start <= timezone.localtime(locks_at).date() <= year.end:
        raise ValidationError(
            {"locks_at": [_("Choose a time inside the school year %(year)s.") % {"year": year.label_text}]}
        )
    lock = Lock(
        school=school,
        school_year=school_year,
        semester=semester,
        school_class=school_class,
        subject=subject,
        kind=kind,
        locks_at=locks_at,
        set_by=actor,
    )
    lock.full_clean()
    lock.save()
    audit_log(
        actor=actor,
        action="gradebook.lock_set",
        unit=school_class or school,
        target=lock,
        after={"semester": semester, "subject": subject, "kind": kind, "locks_at": locks_at.isoformat()},
    )
    notify(
        recipients=_teachers_of(school, school_year, semester, school_class=school_class, subject=subject),
        title=_("Marks locked from %(when)s: %(what)s")
        % {"when": timezone.localtime(locks_at).strftime("%H:%M %d/%m/%Y"), "what": lock_scope_text(lock)},
        url=locks_url(school, semester),
    )
    return lock


@transaction.atomic
def lock_cancel(*, actor, lock: Lock) -> None:
    """Cancel a lock that has not started; a lock in force is never lifted."""
    lock = Lock.objects.select_for_update(of=("self",)).select_related("school", "school_class").get(pk=lock.pk)
    _run(actor, lock.school)
    if lock.locks_at <= timezone.now():
        raise ValidationError(
            _("This lock is in force and is never lifted: a mark changes now only through a change request."),
            code="in_force",
        )
    before = {
        "semester": lock.semester,
        "subject": lock.subject,
        "kind": lock.kind,
        "locks_at": lock.locks_at.isoformat(),
    }
    audit_log(
        actor=actor, action="gradebook.lock_cancel", unit=lock.school_class or lock.school, target=lock, before=before
    )
    lock.delete()


# --- change requests -----------------------------------------------------------------------------------


def _lock_request(request: MarkChangeRequest) -> MarkChangeRequest:
    return (
        MarkChangeRequest.objects.select_for_update(of=("self",))
        .select_related("unit", "author", "mark", "mark__school_class")
        .get(pk=request.pk)
    )


def _mark_text(value, level) -> str:
    if value is not None:
        return f"{value}".replace(".", ",")
    return level or "—"


def _names(request: MarkChangeRequest) -> dict:
    mark = request.mark
    return {
        "mark": f"{mark.subject} · {mark.get_kind_display()} {mark.index} · {mark.school_class.name}",
        "new": _mark_text(request.new_value, request.new_level),
    }


def request_url(request: MarkChangeRequest) -> str:
    return reverse("gradebook:change_request", kwargs={"pk": request.pk})


def _go_live(*, actor, item, subject, school, now) -> tuple[dict, dict]:
    """The principal approved: the cell takes the new value, written by the teacher who asked, approved by
    the principal, in this transaction."""
    request = item
    mark = Mark.objects.select_for_update().get(pk=request.mark_id)
    before = {"value": _mark_text(mark.value, mark.level)}
    mark_write(
        mark,
        actor=request.author,
        value=request.new_value,
        level=request.new_level,
        reason=request.reason,
        approved_by=actor,
        source=f"request:{request.pk}",
    )
    request.status = ApprovalStatus.APPROVED
    request.decided_by = actor
    request.updated_at = now
    request.save(update_fields=["status", "decided_by", "updated_at"])
    return before, {"value": _mark_text(mark.value, mark.level), "request": request.pk}


def _may_decide(user, request) -> bool:
    return (
        bool(getattr(user, "is_active", False))
        and request.author_id != user.pk
        and can_decide_changes(user, request.unit)
    )


CHANGES = approval.ApprovalKind(
    name="gradebook.change",
    review_model=MarkChangeReview,
    words={
        "submit_forbidden": gettext_lazy("Only the teacher who asked can send this request."),
        "waits_for_you": gettext_lazy("A mark change waits for your decision: %(mark)s → %(new)s"),
        "stale_step": gettext_lazy("This request has already been decided."),
        "stale": gettext_lazy("This request has already been decided."),
        "own": gettext_lazy("Nobody decides their own change request."),
        "forbidden_step": gettext_lazy("Only the principal or a vice-principal decides a mark change."),
        "group_approved": gettext_lazy("Your mark change %(mark)s waits for the principal."),
        "approved": gettext_lazy("Your mark change was approved: %(mark)s is now %(new)s."),
        "refuse_reason": gettext_lazy("Say why the change is refused, so the teacher knows."),
        "refused": gettext_lazy("Your mark change %(mark)s → %(new)s was refused."),
        "propose_forbidden": gettext_lazy("A mark change is not shared."),
        "not_above": gettext_lazy("A mark change is not shared."),
        "already_open": gettext_lazy("A mark change is not shared."),
        "proposed_to": gettext_lazy("A mark change is not shared."),
        "proposed_for_you": gettext_lazy("A mark change is not shared."),
        "share_reason": gettext_lazy("A mark change is not shared."),
        "shared": gettext_lazy("A mark change is not shared."),
        "share_refused": gettext_lazy("A mark change is not shared."),
    },
    lock=_lock_request,
    lock_item=_lock_request,
    item_of=lambda request: request,
    live_subject=lambda request, review: request,
    step_fields=lambda request, _same: {"request": request},
    names=_names,
    review_url=request_url,
    item_url=request_url,
    proposal_url=lambda review: request_url(review.request),
    queue_url=lambda: reverse("gradebook:change_requests"),
    go_live=_go_live,
    audit_after=lambda request: {"mark": request.mark_id, "new": _mark_text(request.new_value, request.new_level)},
    may_propose=lambda user, item: False,
    first_level=ApprovalLevel.SCHOOL,
    may_decide_school=_may_decide,
)


@transaction.atomic
def change_request_create(*, actor, mark: Mark, value=None, level: str = "", reason: str) -> MarkChangeRequest:
    """The teacher of the subject asks to change a locked mark, with the reason; the request waits for the
    principal. Refused, nothing written: someone who does not teach it, a cell that is not locked (edit it
    in the grid), no reason, the same value, a second open request on the cell."""
    mark = Mark.objects.select_for_update().select_related("school", "school_class").get(pk=mark.pk)
    if not can_enter_marks(
        actor,
        school_class=mark.school_class,
        subject=mark.subject,
        school_year=mark.school_year,
        semester=mark.semester or Semester.SECOND,
    ):
        raise PermissionDenied(
            _("You do not teach %(subject)s in %(name)s: only its teacher asks to change this mark.")
            % {"subject": mark.subject, "name": mark.school_class.name}
        )
    cell = Cell(
        mark.student_id, mark.school_class, mark.subject, mark.semester, mark.kind, mark.index, mark.school_year
    )
    if lock_covering(school=mark.school, cell=cell) is None:
        raise ValidationError(_("This mark is not locked: change it in the grade book directly."), code="not_locked")
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the mark must change.")]})
    level = level or ""
    value = value if value is None else read_gradebook_mark(str(value))
    rule = subject_rule(school_year=mark.school_year, school_class=mark.school_class, subject=mark.subject)
    _check_column(rule, cell=cell, value=value, level=level)
    if value == mark.value and level == mark.level:
        raise ValidationError({"value": [_("This is the mark already there: nothing to change.")]})
    if MarkChangeRequest.objects.filter(mark=mark, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("A change request for this mark already waits for the principal."), code="open")
    request = MarkChangeRequest(
        mark=mark,
        unit=mark.school,
        author=actor,
        old_value=mark.value,
        old_level=mark.level,
        new_value=value,
        new_level=level,
        reason=reason,
    )
    request.full_clean(validate_constraints=False)
    request.save()
    return approval.submit(CHANGES, actor=actor, subject=request)


def change_request_approve(*, actor, request: MarkChangeRequest) -> MarkChangeRequest:
    """The principal approves: the mark takes the new value in the same transaction (see _go_live)."""
    return approval.approve_school(CHANGES, actor=actor, subject=request)


@transaction.atomic
def change_request_refuse(*, actor, request: MarkChangeRequest, reason: str) -> MarkChangeRequest:
    """The principal refuses, with a reason the teacher reads; the mark stays."""
    request = approval.refuse(CHANGES, actor=actor, subject=request, reason=reason)
    request.decided_by = actor
    request.save(update_fields=["decided_by"])
    return request


def open_requests_q() -> Q:
    return Q(status__in=OPEN_STATUSES)
