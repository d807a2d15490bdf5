"""Removing and restoring course content: courses (and topics), sections, assignments, submissions, live
sessions and products. Nothing is erased: a removed item keeps who removed it and when, shows that in
its place, and the owner's unit can put it back. Every removal and restoration leaves an audit entry.

The rules of who may remove and restore live here, next to the two services, because they differ by
kind of content and the trash pages and templates need the very same answers.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.permissions import Action, can
from units.services import audit_log

from ..models import Assignment, Course, LiveSession, Product, Section, Submission
from ..permissions import can_restore_course, is_instructor
from .enrolment import progress_recount
from .roster import roster_sync
from .topics import topic_quality_assess

# URL kind -> model. The same keys name the kinds in the trash list and in audit entries.
KINDS = {
    "course": Course,
    "section": Section,
    "assignment": Assignment,
    "submission": Submission,
    "live_session": LiveSession,
    "product": Product,
}
KIND_LABELS = {
    "course": gettext_lazy("Course"),
    "section": gettext_lazy("Section"),
    "assignment": gettext_lazy("Assignment"),
    "submission": gettext_lazy("Submission"),
    "live_session": gettext_lazy("Live session"),
    "product": gettext_lazy("Product"),
}
# What each kind needs fetched with it to answer the permission questions and name it.
RELATED = {
    "course": ("unit", "author", "deleted_by"),
    "section": ("course__unit", "deleted_by"),
    "assignment": ("course__unit", "deleted_by"),
    "submission": ("assignment__course__unit", "learner", "group", "submitted_by", "deleted_by"),
    "live_session": ("course__unit", "deleted_by"),
    "product": ("unit", "author", "deleted_by"),
}


def kind_of(obj) -> str:
    for kind, model in KINDS.items():
        if isinstance(obj, model):
            return kind
    raise TypeError(f"not removable course content: {type(obj).__name__}")


def course_of(obj) -> Course | None:
    """The course the item belongs to (None for a product)."""
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, Submission):
        return obj.assignment.course
    if isinstance(obj, Product):
        return None
    return obj.course


def owning_unit(obj):
    course = course_of(obj)
    return course.unit if course is not None else obj.unit


def describe(obj) -> str:
    """How the item is named on the confirmation page and in the trash: "Course: …", "Submission v2 of …"."""
    kind = kind_of(obj)
    if isinstance(obj, Submission):
        who = obj.learner.full_name if obj.learner_id else obj.group.name
        name = _("version %(version)d by %(who)s for “%(assignment)s”") % {
            "version": obj.version,
            "who": who,
            "assignment": obj.assignment.title,
        }
    elif isinstance(obj, Section | Assignment | LiveSession):
        name = _("“%(title)s” in “%(course)s”") % {"title": obj.title, "course": obj.course.title}
    else:
        name = f"“{obj.title}”"
    label = obj.get_kind_display() if isinstance(obj, Course) else KIND_LABELS[kind]
    return f"{label}: {name}"


def can_delete_content(user, obj) -> bool:
    """A course's instructors remove the course and its sections, assignments and sessions; a learner
    removes their own submission until it is graded; a product's author or the group's leader removes a
    product; and those who manage the owning unit remove any of them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    unit = owning_unit(obj)
    if can(user, Action.MANAGE, unit):
        return True
    if isinstance(obj, Product):
        return obj.author_id == user.pk
    course = course_of(obj)
    if is_instructor(user, course):
        return True
    if isinstance(obj, Submission):
        return obj.submitted_by_id == user.pk and obj.grade is None and not course.is_deleted
    return False


def can_restore_content(user, obj) -> bool:
    """Course content: the course's instructors or those who manage its unit (can_restore_course).
    Products: their author or the group's managers (its leader, the school's managers and above)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if isinstance(obj, Product):
        return obj.author_id == user.pk or can(user, Action.MANAGE, obj.unit)
    return can_restore_course(user, course_of(obj))


def _lock(obj):
    """The row again, locked, so two clicks cannot both remove (or restore) it."""
    model = type(obj)
    return model.objects.select_for_update(of=("self",)).select_related(*RELATED[kind_of(obj)]).get(pk=obj.pk)


def _audit(actor, obj, action: str, before: dict, after: dict) -> None:
    audit_log(
        actor=actor,
        action=f"courses.{action}",
        unit=owning_unit(obj),
        target=obj,
        before=before,
        after={"kind": kind_of(obj), **after},
    )


def _reassess_topic(course: Course) -> None:
    """Removing a topic's only section leaves a title (and purpose) only; restoring it makes it real again."""
    if course.kind == Course.Kind.TOPIC and course.status != Course.Status.DRAFT:
        topic_quality_assess(course=course)


@transaction.atomic
def content_delete(*, actor, obj):
    """Remove (soft-delete) an item: it disappears for learners, and its unit can restore it."""
    obj = _lock(obj)
    if obj.is_deleted:
        raise ValidationError(_("This was already removed."), code="already")
    if not can_delete_content(actor, obj):
        if isinstance(obj, Submission) and obj.submitted_by_id == actor.pk and obj.grade is not None:
            raise ValidationError(
                str(obj.assignment.course.words.graded_no_remove),
                code="graded",
            )
        raise ValidationError(_("You cannot remove this."), code="forbidden")
    now = timezone.now()
    obj.deleted_at, obj.deleted_by = now, actor
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save(update_fields=["deleted_at", "deleted_by"])
    if isinstance(obj, Submission) and obj.is_current:
        _hand_current_back(obj)
    if isinstance(obj, Section):
        progress_recount(course=obj.course)
        _reassess_topic(obj.course)
    _audit(actor, obj, "delete", before={"deleted_at": None}, after={"deleted_at": now.isoformat()})
    return obj


@transaction.atomic
def content_restore(*, actor, obj):
    """Put a removed item back as it was."""
    obj = _lock(obj)
    if not obj.is_deleted:
        raise ValidationError(_("This is not removed."), code="not_removed")
    if not can_restore_content(actor, obj):
        raise ValidationError(_("You cannot restore this."), code="forbidden")
    before = {"deleted_at": obj.deleted_at.isoformat(), "deleted_by": obj.deleted_by_id}
    obj.deleted_at, obj.deleted_by = None, None
    obj.save(update_fields=["deleted_at", "deleted_by"])
    if isinstance(obj, Submission):
        _take_current_back(obj)
    if isinstance(obj, Section):
        progress_recount(course=obj.course)
        _reassess_topic(obj.course)
    if isinstance(obj, Course):
        # Back in use: its roll catches up with whoever joined or left its classes meanwhile.
        roster_sync(course_ids=[obj.pk])
    _audit(actor, obj, "restore", before=before, after={"deleted_at": None})
    return obj


def _versions(submission: Submission):
    owner = {"learner_id": submission.learner_id} if submission.learner_id else {"group_id": submission.group_id}
    return Submission.objects.filter(assignment_id=submission.assignment_id, **owner)


def _hand_current_back(submission: Submission) -> None:
    """A removed current version gives way to the latest version still there, so the learner's work and
    grade shown everywhere is one that exists."""
    Submission.objects.filter(pk=submission.pk).update(is_current=False)
    submission.is_current = False
    previous = _versions(submission).filter(deleted_at__isnull=True).order_by("-version").first()
    if previous is not None:
        Submission.objects.filter(pk=previous.pk).update(is_current=True)


def _take_current_back(submission: Submission) -> None:
    """A restored version is current again when it is the latest one still there."""
    latest = _versions(submission).filter(deleted_at__isnull=True).order_by("-version").first()
    if latest is not None and latest.pk == submission.pk and not submission.is_current:
        _versions(submission).filter(is_current=True).update(is_current=False)
        Submission.objects.filter(pk=submission.pk).update(is_current=True)
        submission.is_current = True
