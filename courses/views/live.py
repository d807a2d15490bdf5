"""Live sessions of a course (list with "Join" from 15 minutes before, scheduling) and the learner's
calendar of deadlines and sessions (a month by day, and the same as an .ics file)."""

from datetime import UTC, date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ..forms.live import LiveSessionForm
from ..models import LiveRecording, LiveSession
from ..permissions import (
    can_edit_course,
    can_oversee_course,
    can_view_course,
    course_for_user_or_404,
    enrolment_of,
    is_instructor,
)
from ..selectors.home import calendar_items, mark_join
from ..services import live as services
from .course_items import ItemPages, item_create_page, item_edit_page

PAST_PAGE_SIZE = 20
ICS_DAYS_BEFORE = 30
ICS_DAYS_AFTER = 365


@login_required
def live_sessions(request, pk: int):
    user = request.user
    course = course_for_user_or_404(user, pk)
    now = timezone.now()
    sessions = (
        LiveSession.objects.alive()
        .filter(course=course)
        .select_related("created_by")
        .prefetch_related(Prefetch("recordings", queryset=LiveRecording.objects.alive(), to_attr="alive_recordings"))
    )
    # Sessions not over yet: those started at most 10 hours ago (the longest a session lasts) and later.
    upcoming = [
        s
        for s in (mark_join(s, now) for s in sessions.filter(starts_at__gte=now - timedelta(hours=10)))
        if not s.is_over
    ]
    past = Paginator(sessions.filter(starts_at__lt=now).order_by("-starts_at", "-id"), PAST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    past_rows = [s for s in (mark_join(s, now) for s in past) if s.is_over]
    context = {
        "course": course,
        "upcoming": upcoming,
        "past": past,
        "past_rows": past_rows,
        "may_edit": can_edit_course(user, course),
        "may_join": enrolment_of(user, course) is not None or is_instructor(user, course),
        "oversees": can_oversee_course(user, course),
        "now": now,
    }
    return render(request, "courses/live_session_list.html", context)


@login_required
@require_POST
def live_recording_add(request, pk: int):
    """Attach a recording link to a session (its course's instructors); back to the sessions page."""
    session = get_object_or_404(LiveSession.objects.select_related("course__unit"), pk=pk)
    if not can_view_course(request.user, session.course):
        raise Http404
    if not can_edit_course(request.user, session.course):
        raise PermissionDenied
    try:
        services.live_recording_add(
            actor=request.user, session=session, url=request.POST.get("url", ""), title=request.POST.get("title", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The recording has been attached."))
    return redirect("courses:live_sessions", session.course_id)


@login_required
@require_POST
def live_recording_remove(request, pk: int):
    recording = get_object_or_404(LiveRecording.objects.select_related("session__course__unit"), pk=pk)
    course = recording.session.course
    if not can_view_course(request.user, course):
        raise Http404
    if not can_edit_course(request.user, course):
        raise PermissionDenied
    services.live_recording_remove(actor=request.user, recording=recording)
    messages.success(request, _("The recording has been removed."))
    return redirect("courses:live_sessions", course.pk)


SESSION_PAGES = ItemPages(
    form=LiveSessionForm,
    template="courses/live_session_form.html",
    name="session",
    listing="courses:live_sessions",
    create=services.live_session_create,
    update=services.live_session_update,
    created=gettext_lazy("The session “%(title)s” has been scheduled."),
    updated=gettext_lazy("The session has been updated."),
)


@login_required
@require_http_methods(["GET", "POST"])
def live_create(request, pk: int):
    return item_create_page(request, pk, SESSION_PAGES)


@login_required
@require_http_methods(["GET", "POST"])
def live_edit(request, pk: int):
    session = get_object_or_404(LiveSession.objects.select_related("course__unit"), pk=pk)
    if not can_view_course(request.user, session.course):
        raise Http404
    if not can_edit_course(request.user, session.course) or session.is_deleted:
        raise PermissionDenied
    return item_edit_page(request, session, SESSION_PAGES)


# --- calendar ----------------------------------------------------------------------------------


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return date(year, month, 1) if 1900 < year < 3000 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@login_required
def calendar(request):
    first = _month(request.GET.get("month"))
    following = _next_month(first)
    previous = (first - timedelta(days=1)).replace(day=1)
    items = calendar_items(user=request.user, start=_aware(first), end=_aware(following))
    days: dict[date, list] = {}
    for item in items:
        days.setdefault(timezone.localtime(item.starts_at).date(), []).append(item)
    context = {
        "month": first,
        "previous": previous.strftime("%Y-%m"),
        "following": following.strftime("%Y-%m"),
        "this_month": timezone.localdate().replace(day=1) == first,
        "days": sorted(days.items()),
        "today": timezone.localdate(),
        "month_param": first.strftime("%Y-%m"),
    }
    return render(request, "courses/calendar.html", context)


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


@login_required
def calendar_ics(request):
    """The same deadlines and sessions as an .ics file: one month with ?month=, otherwise from a month ago
    to a year ahead (for importing into a phone's calendar)."""
    if request.GET.get("month"):
        first = _month(request.GET["month"])
        start, end = _aware(first), _aware(_next_month(first))
    else:
        now = timezone.now()
        start, end = now - timedelta(days=ICS_DAYS_BEFORE), now + timedelta(days=ICS_DAYS_AFTER)
    items = calendar_items(user=request.user, start=start, end=end)
    stamp = _ics_time(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Truong hoc ket noi//Courses//VI", "CALSCALE:GREGORIAN"]
    for item in items:
        if item.kind == "deadline":
            summary = _("Deadline: %(title)s") % {"title": item.title}
            url = reverse("courses:submission_create", args=[item.obj.pk])
            end_at = item.starts_at
        else:
            summary = _("Live session: %(title)s") % {"title": item.title}
            url = item.obj.url
            end_at = item.ends_at
        if not url.startswith("https://"):
            url = request.build_absolute_uri(url)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(item.starts_at)}",
            f"DTEND:{_ics_time(end_at)}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(item.course.title)}",
            f"URL:{_ics_text(url)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lich-hoc.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<id:pk>/truc-tuyen/", live_sessions, name="live_sessions"),
    path("<id:pk>/truc-tuyen/them/", live_create, name="live_create"),
    path("truc-tuyen/<id:pk>/sua/", live_edit, name="live_edit"),
    path("truc-tuyen/<id:pk>/ban-ghi/", live_recording_add, name="live_recording_add"),
    path("truc-tuyen/ban-ghi/<id:pk>/xoa/", live_recording_remove, name="live_recording_remove"),
    path("lich/", calendar, name="calendar"),
    path("lich.ics", calendar_ics, name="calendar_ics"),
]
