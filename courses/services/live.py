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
from truonghoc.text import nfc

from ..models import Course, Enrolment, LiveRecording, LiveSession
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


# --- links opened from the portal, recordings (issue #17, point 4) ----------------------------------------

WEB_SCHEMES = ("http", "https")


def web_link_or_none(url: str) -> str | None:
    """The link if it is a plain web address (http or https, with a host, no user name or password in it),
    else None. Checked again before the portal redirects anyone to a stored link: rows written before the
    https rule, or by hand, must not send a person to `javascript:` or `data:`."""
    url = (url or "").strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname or parts.username or parts.password:
        return None
    return url


def check_web_link(url: str, *, field: str = "url") -> str:
    """The link, stripped, if it is http(s); otherwise a clear refusal on `field`."""
    clean = web_link_or_none(url)
    if clean is None:
        raise ValidationError(
            {field: _("The link must be a full web address starting with https:// or http://.")}, code="not_web"
        )
    return clean


@transaction.atomic
def live_recording_add(*, actor, session: LiveSession, url: str, title: str = "") -> LiveRecording:
    """Attach a recording link to a session that has started (an instructor of the course)."""
    session = LiveSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    _check_instructor(actor, session.course)
    if session.is_deleted:
        raise ValidationError(str(SESSION_REMOVED), code="removed")
    if session.starts_at > timezone.now():
        raise ValidationError(_("A recording is attached once the session has started."), code="not_started")
    recording = LiveRecording(
        session=session, url=check_web_link(url), title=nfc((title or "").strip()), added_by=actor
    )
    recording.full_clean()
    recording.save()
    return recording


@transaction.atomic
def live_recording_remove(*, actor, recording: LiveRecording) -> LiveRecording:
    """Remove a recording link (soft: kept with who removed it and when)."""
    recording = LiveRecording.objects.select_for_update().select_related("session__course").get(pk=recording.pk)
    _check_instructor(actor, recording.session.course)
    if not recording.is_deleted:
        recording.deleted_at, recording.deleted_by = timezone.now(), actor
        recording.save(update_fields=["deleted_at", "deleted_by"])
    return recording
