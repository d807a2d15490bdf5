"""Live sessions: scheduling an online session held in the meeting tool the school uses."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.services import notify
from truonghoc.formatting import datetime_text

from ..models import Course, Enrolment, LiveSession
from ..permissions import can_edit_course
from .authoring import course_item_apply, course_item_to_change

# The hosts each named tool really uses. Jitsi is often self-hosted by a Department, so any https
# host is accepted for it.
TOOL_HOSTS = {
    LiveSession.Tool.ZOOM: ("zoom.us",),
    LiveSession.Tool.TEAMS: ("teams.microsoft.com", "teams.live.com"),
    LiveSession.Tool.MEET: ("meet.google.com",),
}
SESSION_FIELDS = ("title", "starts_at", "duration_minutes", "tool", "url")


def check_meeting_url(*, tool: str, url: str) -> str:
    """The link, stripped, if it is an https link on the named tool's domain; otherwise a clear refusal."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(
            {"url": _("The meeting link must be a full secure address starting with https://.")}, code="insecure"
        )
    hosts = TOOL_HOSTS.get(tool)
    host = parts.hostname.lower()
    if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
        raise ValidationError(
            {
                "url": _("A %(tool)s link must be on %(hosts)s; this one is on %(host)s. Check the tool or the link.")
                % {"tool": LiveSession.Tool(tool).label, "hosts": " / ".join(hosts), "host": host}
            },
            code="wrong_host",
        )
    return url


def _apply(session: LiveSession, fields: dict) -> None:
    course_item_apply(session, fields, allowed=SESSION_FIELDS)
    session.url = check_meeting_url(tool=session.tool, url=session.url)


# Said when an instructor edits a removed session (from a stale page): restore it first.
SESSION_REMOVED = gettext_lazy("This session has been removed; restore it before changing it.")


def _check_instructor(actor, course: Course) -> None:
    if not can_edit_course(actor, course):
        raise ValidationError(str(course.words.only_instructors_live), code="forbidden")


def _announce(session: LiveSession) -> None:
    learners = [
        e.user
        for e in Enrolment.objects.filter(course_id=session.course_id, withdrawn_at__isnull=True).select_related("user")
    ]
    notify(
        recipients=learners,
        title=_("Live session “%(title)s” on %(when)s")
        % {"title": session.title, "when": datetime_text(session.starts_at)},
        body=session.course.title,
        url=reverse("courses:live_sessions", args=[session.course_id]),
    )


@transaction.atomic
def live_session_create(*, actor, course: Course, **fields) -> LiveSession:
    _check_instructor(actor, course)
    session = LiveSession(course=course, created_by=actor)
    _apply(session, fields)
    if session.starts_at and session.starts_at < timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    session.full_clean()
    session.save()
    _announce(session)
    return session


@transaction.atomic
def live_session_update(*, actor, session: LiveSession, **fields) -> LiveSession:
    session = course_item_to_change(session, actor=actor, check=_check_instructor, removed=SESSION_REMOVED)
    old_start = session.starts_at
    _apply(session, fields)
    session.full_clean()
    session.save()
    if session.starts_at != old_start:
        _announce(session)  # learners planned around the old time
    return session
