"""Assignments and handed-in work: the course's assignment list (each learner's own status), the
"Hand in" page and its receipt, file downloads, the grading list and per-submission grading with
"Save and next", and the grades export."""

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from truonghoc.formatting import datetime_text
from truonghoc.forms import form_saved
from truonghoc.storage import file_response
from truonghoc.uploads import human_size
from truonghoc.xlsx import xlsx_bytes, xlsx_response
from units.services import audit_export

from ..forms.submissions import AssignmentForm, GradeForm, SubmissionForm
from ..models import Assignment, Submission
from ..permissions import (
    assignment_for_user_or_404,
    can_edit_course,
    can_follow_learners,
    course_for_user_or_404,
    enrolment_of,
    followed_assignment_or_404,
    is_instructor,
    submission_file_for_user_or_404,
    submission_for_user_or_404,
)
from ..selectors import submissions as selectors
from ..services import submissions as services
from .course_items import ItemPages, item_create_page, item_edit_page

GRADING_PAGE_SIZE = 50


def _when(moment) -> str:
    return datetime_text(moment)


# --- assignments -------------------------------------------------------------------------------


@login_required
def assignment_list(request, pk: int):
    user = request.user
    course = course_for_user_or_404(user, pk)
    follows = can_follow_learners(user, course)
    context = {
        "course": course,
        "rows": selectors.course_assignments(user=user, course=course, include_removed=follows),
        "may_edit": can_edit_course(user, course),
        "follows": follows,
        "enrolment": enrolment_of(user, course),
        "now": timezone.now(),
    }
    return render(request, "courses/assignment_list.html", context)


ASSIGNMENT_PAGES = ItemPages(
    form=AssignmentForm,
    template="courses/assignment_form.html",
    name="assignment",
    listing="courses:assignments",
    create=services.assignment_create,
    update=services.assignment_update,
    created=gettext_lazy("The assignment “%(title)s” has been added."),
    updated=gettext_lazy("The assignment has been updated."),
)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request, pk: int):
    return item_create_page(request, pk, ASSIGNMENT_PAGES)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request, pk: int):
    assignment = assignment_for_user_or_404(request.user, pk)
    if not can_edit_course(request.user, assignment.course) or assignment.is_deleted:
        raise PermissionDenied
    return item_edit_page(request, assignment, ASSIGNMENT_PAGES)


# --- handing in --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submission_create(request, pk: int):
    """ "Nộp bài": the assignment, what the learner handed in so far, and the form (files + note)."""
    user = request.user
    assignment = assignment_for_user_or_404(user, pk)
    if request.method == "POST":
        # Bound even when every file was dropped by the size cut-off, so the form can say so.
        form = SubmissionForm(request.POST, request.FILES, assignment=assignment)
    else:
        form = SubmissionForm(assignment=assignment)
    saved = form_saved(
        request,
        form,
        lambda data: services.submission_create(
            actor=user, assignment=assignment, uploads=data["files"], note=data["note"]
        ),
        upload_field="files",
    )
    if saved:
        submission = saved.result
        message = _("Handed in: version %(version)d, %(when)s.") % {
            "version": submission.version,
            "when": _when(submission.submitted_at),
        }
        if submission.is_late:
            message += " " + _("It is after the deadline, so it is marked late.")
        messages.success(request, message)
        return redirect("courses:submission", submission.pk)
    versions = list(selectors.my_versions(user=user, assignment=assignment)[:10])
    context = {
        "assignment": assignment,
        "course": assignment.course,
        "form": form,
        "problem": services.submitter_problem(user, assignment),
        "versions": versions,
        "types": services.describe_types(assignment),
        "now": timezone.now(),
    }
    return render(request, "courses/submission_form.html", context)


def _submission_context(submission) -> dict:
    """What the receipt and the grading page both show of a submission: its files and their size."""
    assignment = submission.assignment
    return {
        "submission": submission,
        "assignment": assignment,
        "course": assignment.course,
        "files": list(submission.files.all()),
        "size": human_size(submission.total_size),
    }


@login_required
def submission_detail(request, pk: int):
    """The receipt: when, which files, how large, which version; the grade and feedback once graded."""
    user = request.user
    submission = submission_for_user_or_404(user, pk)
    assignment = submission.assignment
    owner = {"group_id": submission.group_id} if submission.group_id else {"learner_id": submission.learner_id}
    versions = (
        Submission.objects.alive()
        .filter(assignment=assignment, **owner)
        .select_related("submitted_by")
        .order_by("-version")
    )
    mine = submission.learner_id == user.pk or (
        submission.group_id and getattr(enrolment_of(user, assignment.course), "group_id", None) == submission.group_id
    )
    context = {
        **_submission_context(submission),
        "versions": versions,
        "mine": mine,
        "may_resubmit": mine and not services.submitter_problem(user, assignment),
        "may_grade": is_instructor(user, assignment.course),
        "may_delete": is_instructor(user, assignment.course)
        or (submission.submitted_by_id == user.pk and submission.grade is None),
    }
    return render(request, "courses/submission_detail.html", context)


@login_required
def submission_file(request, pk: int):
    row = submission_file_for_user_or_404(request.user, pk)
    return file_response(row.file, name=row.name)


# --- grading -----------------------------------------------------------------------------------


@login_required
def grading(request, pk: int):
    """Current submissions, 50 a page, filtered (ungraded, graded, late) or those not handed in."""
    user = request.user
    assignment = followed_assignment_or_404(user, pk)
    show = request.GET.get("show", "all")
    if show not in selectors.GRADING_FILTERS:
        show = "all"
    if show == "missing":
        rows = selectors.not_submitted(assignment=assignment)
    else:
        rows = selectors.grading_queryset(assignment=assignment, show=show)
    page = Paginator(rows, GRADING_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "assignment": assignment,
        "course": assignment.course,
        "page": page,
        "show": show,
        "counts": selectors.grading_counts(assignment=assignment),
        "filters": [
            ("all", _("All handed in")),
            ("ungraded", _("To grade")),
            ("graded", _("Graded")),
            ("late", _("Late")),
            ("missing", _("Not handed in")),
        ],
        "may_grade": is_instructor(user, assignment.course),
        "page_query": urlencode({"show": show}),
    }
    return render(request, "courses/grading_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def grade(request, pk: int):
    user = request.user
    submission = submission_for_user_or_404(user, pk)
    assignment = submission.assignment
    if not is_instructor(user, assignment.course):
        raise PermissionDenied
    initial = {"grade": submission.grade, "feedback": submission.feedback}  # MarkField shows 8.50 as "8,5"
    form = GradeForm(request.POST or None, initial=initial)
    if form_saved(
        request,
        form,
        lambda data: services.submission_grade(
            actor=user, submission=submission, grade=data["grade"], feedback=data["feedback"]
        ),
    ):
        messages.success(request, _("Grade saved."))
        if "next" in request.POST:
            following = selectors.next_ungraded(assignment=assignment, after_id=submission.pk)
            if following is not None:
                return redirect("courses:grade", following.pk)
            messages.info(request, _("Every submission has been graded."))
        return redirect(reverse("courses:grading", args=[assignment.pk]) + "?show=ungraded")
    context = {**_submission_context(submission), "form": form}
    return render(request, "courses/grading_form.html", context)


@login_required
def grades_export(request, pk: int):
    """The course's grade book: one row per learner, one column per assignment."""
    user = request.user
    course = course_for_user_or_404(user, pk)
    if not can_follow_learners(user, course):
        raise PermissionDenied
    assignments = list(Assignment.objects.alive().filter(course=course))
    header = [str(course.words.learner), _("Username"), _("Unit"), _("Learning group")]
    header += [f"{a.title} ({_('group')})" if a.per_group else a.title for a in assignments]
    content = xlsx_bytes(
        title=course.title,
        header=header,
        rows=selectors.grade_rows(course=course, assignments=assignments),
        sheet_name=_("Grades"),
    )
    audit = partial(audit_export, actor=user, kind="course_grades", unit=course.unit, target=course)
    return xlsx_response(content, f"bang-diem-khoa-{course.pk}.xlsx", audit=audit)


@login_required
def assignment_grades_export(request, pk: int):
    """One assignment: each current submission with its version, time, lateness, grade and feedback."""
    user = request.user
    assignment = followed_assignment_or_404(user, pk)
    header = [
        _("Learning group") if assignment.per_group else str(assignment.course.words.learner),
        _("Handed in by"),
        _("Version"),
        _("Handed in at"),
        _("Late"),
        _("Files"),
        _("Mark"),
        _("Feedback"),
    ]
    content = xlsx_bytes(
        title=f"{assignment.course.title} — {assignment.title}",
        header=header,
        rows=selectors.assignment_rows(assignment=assignment),
        sheet_name=_("Grades"),
    )
    audit = partial(audit_export, actor=user, kind="assignment_grades", unit=assignment.course.unit, target=assignment)
    return xlsx_response(content, f"bang-diem-bai-{assignment.pk}.xlsx", audit=audit)


urlpatterns = [
    path("<id:pk>/bai-tap/", assignment_list, name="assignments"),
    path("<id:pk>/bai-tap/them/", assignment_create, name="assignment_create"),
    path("<id:pk>/bang-diem.xlsx", grades_export, name="grades_export"),
    path("bai-tap/<id:pk>/sua/", assignment_edit, name="assignment_edit"),
    path("bai-tap/<id:pk>/nop-bai/", submission_create, name="submission_create"),
    path("bai-tap/<id:pk>/cham-bai/", grading, name="grading"),
    path("bai-tap/<id:pk>/bang-diem.xlsx", assignment_grades_export, name="assignment_grades_export"),
    path("bai-nop/<id:pk>/", submission_detail, name="submission"),
    path("bai-nop/<id:pk>/cham-diem/", grade, name="grade"),
    path("bai-nop/tep/<id:pk>/", submission_file, name="submission_file"),
]
