"""Assignments, submitting work (versions, deadline, files) and grading.

Submitting locks the assignment row, so two quick clicks are serialised: the second becomes the next
version instead of a second "current" one. The deadline is compared with the clock at the moment of
saving, not when the page was opened.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.profile import profile_refusal
from forums.services import clean_body
from notifications.services import notify
from truonghoc.formatting import datetime_text
from truonghoc.marks import MarkWords, mark_text, parse_mark
from truonghoc.storage import private_storage
from truonghoc.text import nfc
from truonghoc.uploads import TYPES, check_upload, files_removed_on_failure, normal_extension, type_labels
from units.services import audit_log

from ..models import Assignment, Course, Enrolment, Submission, SubmissionFile
from ..permissions import can_edit_course, can_study, enrolment_of, is_instructor
from .authoring import course_instructors, course_item_apply, course_item_to_change
from .enrolment import leader_is_missing

NOTE_MAX_CHARS = 2000
FEEDBACK_MAX_CHARS = 5000
ASSIGNMENT_FIELDS = (
    "title",
    "kind",
    "instructions",
    "due_at",
    "late_policy",
    "allowed_types",
    "max_size_mb",
    "max_files",
    "per_group",
    "position",
)


def _when(moment) -> str:
    return datetime_text(moment)


# --- assignments -------------------------------------------------------------------------------


def normalise_types(value: str) -> str:
    """ "PDF, .docx ; doc" → "pdf,docx"; refuses types the upload checks do not know."""
    parts = [normal_extension(p) for p in value.replace(";", ",").replace(" ", ",").split(",") if p.strip(" .")]
    unknown = [p for p in parts if p not in TYPES]
    if unknown:
        raise ValidationError(
            {
                "allowed_types": _("Unknown file types: %(unknown)s. Choose among: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(TYPES)}
            }
        )
    if not parts:
        raise ValidationError({"allowed_types": _("Name at least one allowed file type, for example pdf,docx.")})
    return ",".join(dict.fromkeys(parts))


# Said when an instructor edits a removed assignment (from a stale page): restore it first.
ASSIGNMENT_REMOVED = gettext_lazy("This assignment has been removed; restore it before changing it.")


def _check_instructor(actor, course: Course) -> None:
    if not can_edit_course(actor, course):
        raise ValidationError(str(course.words.only_instructors_assignments), code="forbidden")


def _apply(assignment: Assignment, fields: dict) -> None:
    course_item_apply(
        assignment,
        fields,
        allowed=ASSIGNMENT_FIELDS,
        cleaners={"instructions": clean_body, "allowed_types": lambda value: normalise_types(value or "")},
    )


@transaction.atomic
def assignment_create(*, actor, course: Course, **fields) -> Assignment:
    _check_instructor(actor, course)
    assignment = Assignment(course=course)
    _apply(assignment, fields)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_update(*, actor, assignment: Assignment, **fields) -> Assignment:
    assignment = course_item_to_change(assignment, actor=actor, check=_check_instructor, removed=ASSIGNMENT_REMOVED)
    before = {"due_at": assignment.due_at.isoformat(), "late_policy": assignment.late_policy}
    _apply(assignment, fields)
    assignment.full_clean()
    assignment.save()
    after = {"due_at": assignment.due_at.isoformat(), "late_policy": assignment.late_policy}
    if before != after:
        # A moved deadline changes who is late: keep a trace of who moved it.
        audit_log(actor=actor, action="assignment.deadline", target=assignment, before=before, after=after)
    return assignment


# --- submitting --------------------------------------------------------------------------------


def submitter_problem(actor, assignment: Assignment) -> str:
    """Why `actor` cannot hand in work for the assignment now, or "" when they can. Used by the page
    (to explain instead of showing a form) and by the service (to refuse)."""
    course = assignment.course
    if assignment.is_deleted:
        return _("This assignment has been removed.")
    if not can_study(actor, course):
        return str(course.words.work_needs_enrolment)
    if course.status == Course.Status.CLOSED:
        return str(course.words.closed_for_work)
    if refusal := profile_refusal(actor):
        return refusal
    if assignment.per_group:
        enrolment = enrolment_of(actor, course)
        group = enrolment.group if enrolment else None
        if group is None:
            return str(course.words.group_work_needs_group)
        if leader_is_missing(group):
            return str(course.words.group_leader_left) % {"group": group.name}
        if group.leader_id != actor.pk:
            return _("This is group work: only the leader of %(group)s, %(leader)s, hands it in for the group.") % {
                "group": group.name,
                "leader": group.leader.full_name,
            }
    if timezone.now() > assignment.due_at and assignment.late_policy == Assignment.LatePolicy.REFUSE:
        return _("The deadline passed on %(deadline)s; this assignment no longer accepts work.") % {
            "deadline": _when(assignment.due_at)
        }
    return ""


@transaction.atomic
def submission_create(*, actor, assignment: Assignment, uploads: Sequence, note: str = "") -> Submission:
    """A new version of the learner's (or their group's) work. Earlier versions are kept; the new one
    becomes current. Refused, with nothing saved, when anything is wrong."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("course").get(pk=assignment.pk)
    problem = submitter_problem(actor, assignment)
    if problem:
        raise ValidationError(problem, code="refused")
    uploads = [u for u in uploads if u]
    if not uploads:
        raise ValidationError({"files": _("Choose at least one file to hand in.")}, code="empty")
    if len(uploads) > assignment.max_files:
        raise ValidationError(
            {
                "files": _("You chose %(count)d files; this assignment takes at most %(max)d.")
                % {"count": len(uploads), "max": assignment.max_files}
            },
            code="too_many",
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(
                check_upload(upload, allowed=assignment.allowed_extensions, max_bytes=assignment.max_size_mb * 1024**2)
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors}, code="invalid")

    now = timezone.now()
    owner = {"group": enrolment_of(actor, assignment.course).group} if assignment.per_group else {"learner": actor}
    versions = Submission.objects.filter(assignment=assignment, **owner)
    last = versions.aggregate(last=Max("version"))["last"] or 0
    versions.filter(is_current=True).update(is_current=False, updated_at=now)
    submission = Submission(
        assignment=assignment,
        submitted_by=actor,
        version=last + 1,
        is_current=True,
        note=nfc(note or "").strip()[:NOTE_MAX_CHARS],
        submitted_at=now,
        is_late=now > assignment.due_at,
        total_size=sum(c.size for c in checked),
        **owner,
    )
    submission.full_clean()
    submission.save()
    storage = private_storage()
    with files_removed_on_failure(storage) as saved:
        rows = []
        for item in checked:
            row = SubmissionFile(submission=submission, name=item.name, size=item.size, created_at=now)
            row.file.save(f"{assignment.pk}-{submission.pk}.{item.extension}", item.upload, save=False)
            saved.append(row.file.name)
            rows.append(row)
        SubmissionFile.objects.bulk_create(rows)
    _tell_instructors(submission, actor)
    return submission


def _tell_instructors(submission: Submission, actor) -> None:
    """The course's instructors learn that work is waiting for a mark: one entry per assignment, kept
    up to date with the number still to grade while they have not read it."""
    assignment = submission.assignment
    waiting = Submission.objects.alive().filter(assignment=assignment, is_current=True, grade__isnull=True).count()
    title = ngettext(
        "“%(assignment)s”: %(count)d submission to grade",
        "“%(assignment)s”: %(count)d submissions to grade",
        waiting,
    ) % {"assignment": assignment.title, "count": waiting}
    body = _("Last handed in by %(name)s (version %(version)d) in %(course)s, %(when)s.") % {
        "name": actor,
        "version": submission.version,
        "course": assignment.course.title,
        "when": _when(submission.submitted_at),
    }
    notify(
        recipients=(u for u in course_instructors(assignment.course) if u.pk != actor.pk),
        title=title,
        body=body,
        url=reverse("courses:grading", args=[assignment.pk]) + "?show=ungraded",
        merge_unread=True,
    )


# --- grading -----------------------------------------------------------------------------------


# An assignment's people say "grade" where a test says "mark": same rules (truonghoc.marks), own words.
GRADE_WORDS = MarkWords(
    not_a_number=gettext_lazy("Write the grade as a number from 0 to 10, for example 8,5."),
    out_of_range=gettext_lazy("The grade must be between 0 and 10."),
    too_precise=gettext_lazy("Give the grade with at most two decimals, for example 8,25."),
)


def submission_recipients(submission: Submission):
    """Who the work belongs to: the learner, or every active member of the group."""
    if submission.learner_id:
        return [submission.learner]
    return [
        e.user
        for e in Enrolment.objects.filter(group_id=submission.group_id, withdrawn_at__isnull=True).select_related(
            "user"
        )
    ]


@transaction.atomic
def submission_grade(*, actor, submission: Submission, grade, feedback: str = "") -> Submission:
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("assignment__course", "learner", "group")
        .get(pk=submission.pk)
    )
    course = submission.assignment.course
    if not is_instructor(actor, course):
        raise ValidationError(str(course.words.only_instructors_grade), code="forbidden")
    if submission.is_deleted:
        raise ValidationError(_("This submission has been removed; it cannot be graded."))
    value = parse_mark(grade, words=GRADE_WORDS, field="grade")
    feedback = nfc(feedback or "").strip()
    if len(feedback) > FEEDBACK_MAX_CHARS:
        raise ValidationError(
            {"feedback": _("Feedback can be at most %(max)d characters.") % {"max": FEEDBACK_MAX_CHARS}}
        )
    before = {"grade": str(submission.grade) if submission.grade is not None else None, "feedback": submission.feedback}
    submission.grade = value
    submission.feedback = feedback
    submission.graded_by = actor
    submission.graded_at = timezone.now()
    submission.full_clean()
    submission.save(update_fields=["grade", "feedback", "graded_by", "graded_at", "updated_at"])
    audit_log(
        actor=actor,
        action="submission.grade",
        unit=course.unit,
        target=submission,
        before=before,
        after={"grade": str(value), "feedback": feedback},
    )
    if before["grade"] != str(value) or before["feedback"] != feedback:
        notify(
            recipients=submission_recipients(submission),
            title=_("Your work “%(assignment)s” has been graded: %(grade)s/10")
            % {"assignment": submission.assignment.title, "grade": mark_text(value)},
            body=feedback,
            url=reverse("courses:submission", args=[submission.pk]),
        )
    return submission


def describe_types(assignment: Assignment) -> str:
    return type_labels(assignment.allowed_extensions)
