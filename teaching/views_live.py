"""Pages of live lessons (issue #17, point 4): the "join" step that records who joined and sends them to the
meeting, the attendance sheet a teacher confirms (htmx, one page), and a student's or a parent's view of
the student's own attendance. Thin: permissions in teaching.permissions, the work in teaching.attendance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.models import User
from courses.models import LiveRecording, LiveSession
from courses.permissions import can_view_course
from truonghoc.params import parse_int

from . import attendance
from .models import AttendanceStatus
from .permissions import (
    attendance_session_or_404,
    can_take_attendance,
    can_view_student_attendance,
)

PAGE_SIZE = 25


@login_required
def live_join(request, pk: int):
    """Record the join, then send the person to the meeting; a refusal goes back to the course's sessions
    with the reason. A GET link, since the meeting opens in a new tab (and the policy's form-action keeps
    form posts on this site)."""
    session = get_object_or_404(LiveSession.objects.select_related("course__unit"), pk=pk)
    if not can_view_course(request.user, session.course):
        raise Http404
    try:
        url = attendance.live_join(user=request.user, session=session)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect("courses:live_sessions", session.course_id)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _statuses(post, students) -> dict[int, str]:
    statuses = {}
    for student in students:
        value = post.get(f"status-{student.pk}")
        if value:
            statuses[student.pk] = value
    return statuses


@login_required
@require_http_methods(["GET", "POST"])
def attendance_page(request, pk: int):
    session = attendance_session_or_404(request.user, pk)
    may_edit = can_take_attendance(request.user, session)
    errors: list[str] = []
    saved_note = ""
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        students = list(attendance.enrolled_learners(session))
        period = parse_int(request.POST.get("period"), default=None)
        try:
            done = attendance.attendance_confirm(
                actor=request.user, session=session, statuses=_statuses(request.POST, students), period=period
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            note = _("Attendance saved.")
            if done.absences.written or done.absences.removed:
                note += " " + _("Grade book: %(written)d absence(s) written, %(removed)d removed.") % {
                    "written": done.absences.written,
                    "removed": done.absences.removed,
                }
            if done.absences.skipped:
                note += " " + ngettext(
                    "%(count)d absent student is not in an open class this school year: not in the grade book.",
                    "%(count)d absent students are not in an open class this school year: not in the grade book.",
                    len(done.absences.skipped),
                ) % {"count": len(done.absences.skipped)}
            if not request.htmx:
                messages.success(request, note)
                return redirect("teaching:attendance", session.pk)
            saved_note = note  # htmx: said inside the partial that replaces the sheet
    lesson = attendance.lesson_of(session)
    sheet = attendance.attendance_sheet(session, lesson)
    context = {
        "session": session,
        "course": session.course,
        "lesson": lesson,
        "sheet": sheet,
        "ends_at": attendance.ends_at(session),
        "may_edit": may_edit,
        "errors": errors,
        "saved_note": saved_note,
        "statuses": AttendanceStatus.choices,
        "period": (lesson.period if lesson and lesson.period else attendance.default_period(session.starts_at)),
        "periods": range(1, 11),
        "recordings": list(LiveRecording.objects.alive().filter(session=session).select_related("added_by")),
        "late_minutes": int(attendance.LATE_AFTER.total_seconds() // 60),
        "counts": {value: sum(1 for row in sheet if row.status == value) for value in AttendanceStatus.values},
    }
    template = "teaching/live_attendance.html"
    if request.htmx:
        template += "#attendance-sheet"
    return render(request, template, context)


@login_required
def my_attendance(request, student_id: int | None = None):
    """A student's attendance at live lessons: their own, or (for a parent) a linked child's, read only."""
    if student_id is None:
        student = request.user
    else:
        student = get_object_or_404(User.objects.select_related("unit"), pk=student_id)
    if not can_view_student_attendance(request.user, student):
        raise Http404
    page = Paginator(attendance.attendance_of(student=student), PAGE_SIZE).get_page(
        parse_int(request.GET.get("page"), default=1, minimum=1)
    )
    return render(
        request,
        "teaching/my_attendance.html",
        {"student": student, "page": page, "own": student.pk == request.user.pk},
    )
