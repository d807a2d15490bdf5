"""Removing and restoring course content: courses (and topics), sections, assignments, submissions, live
sessions and products. Nothing is erased: a removed item keeps who removed it and when, shows that in
its place, and the owner's unit can put it back. Every removal and restoration leaves an audit entry.

Who may remove and restore is `courses.permissions` (`can_delete_content`, `can_restore_content`), asked
by the views, the templates and again by these services; the write and the audit entry are
`units.trash`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.trash import soft_remove, soft_restore

from ..models import Assignment, Course, LiveSession, Product, Section, Submission
from ..permissions import can_delete_content, can_restore_content, owning_unit
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


def _lock(obj):
    """The row again, locked, so two clicks cannot both remove (or restore) it."""
    model = type(obj)
    return model.objects.select_for_update(of=("self",)).select_related(*RELATED[kind_of(obj)]).get(pk=obj.pk)


def _audit(obj, action: str, before: dict, after: dict) -> dict:
    """How course content is named in the audit: `courses.<action>`, its owning unit, and its kind."""
    return {
        "action": f"courses.{action}",
        "unit": owning_unit(obj),
        "before": before,
        "after": {"kind": kind_of(obj), **after},
    }


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
    soft_remove(obj, by=actor, at=now, **_audit(obj, "delete", {"deleted_at": None}, {"deleted_at": now.isoformat()}))
    if isinstance(obj, Submission) and obj.is_current:
        _hand_current_back(obj)
    if isinstance(obj, Section):
        progress_recount(course=obj.course)
        _reassess_topic(obj.course)
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
    soft_restore(obj, by=actor, **_audit(obj, "restore", before, {"deleted_at": None}))
    if isinstance(obj, Submission):
        _take_current_back(obj)
    if isinstance(obj, Section):
        progress_recount(course=obj.course)
        _reassess_topic(obj.course)
    if isinstance(obj, Course):
        # Back in use: its roll catches up with whoever joined or left its classes meanwhile.
        roster_sync(course_ids=[obj.pk])
    return obj


def _versions(submission: Submission):
    owner = {"learner_id": submission.learner_id} if submission.learner_id else {"group_id": submission.group_id}
    return Submission.objects.filter(assignment_id=submission.assignment_id, **owner)


def _hand_current_back(submission: Submission) -> None:
    """A removed current version gives way to the latest version still there, so the learner's work and
    grade shown everywhere is one that exists."""
    Submission.objects.filter(pk=submission.pk).update(is_current=False)
    submission.is_current = False
    previous = _versions(submission).alive().order_by("-version").first()
    if previous is not None:
        Submission.objects.filter(pk=previous.pk).update(is_current=True)


def _take_current_back(submission: Submission) -> None:
    """A restored version is current again when it is the latest one still there."""
    latest = _versions(submission).alive().order_by("-version").first()
    if latest is not None and latest.pk == submission.pk and not submission.is_current:
        _versions(submission).filter(is_current=True).update(is_current=False)
        Submission.objects.filter(pk=submission.pk).update(is_current=True)
        submission.is_current = True
