"""`{% frame_nav %}`: the menu at the top of every page (templates/components/frame_nav.html). A builtin
(settings.TEMPLATES), as help_tags.

Every page drew the same menu anew, a tenth of a cheap page's time (issue #19, point 9). It is kept as a
shared fragment (truonghoc.fragments) keyed by everything it shows of the person — their id, name, staff
flag and which tests menu their roles give — and the language, so it is never stale. What changes from
request to request is filled in after: the notification bell (the unread count is read live), the current
path the language form returns to, and the CSRF fields (fragments.CSRF_SLOT)."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import fragments
from .links import frame_urls

register = template.Library()

BELL_SLOT = "<!--frame-bell-->"
NEXT_SLOT = "frame-next-slot"
QUIZ_TEACHER_ROLES = frozenset({"teacher", "group_leader", "principal", "school_admin"})


def _quizzes_menu(user) -> str:
    """Which tests page the menu links to: the teachers' (their own tests), the students' (tests to take)."""
    roles = set(user.roles)
    if roles & QUIZ_TEACHER_ROLES:
        return "teacher"
    return "student" if "student" in roles else ""


@register.simple_tag(takes_context=True)
def frame_nav(context) -> str:
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    person = (user.pk, user.full_name, user.username, user.is_staff, _quizzes_menu(user)) if signed_in else None

    def build() -> str:
        nav_user = {
            "is_authenticated": signed_in,
            "full_name": person[1] if person else "",
            "username": person[2] if person else "",
            "is_staff": bool(person and person[3]),
        }
        return render_to_string(
            "components/frame_nav.html",
            {
                "user": nav_user,
                "quizzes": person[4] if person else "",
                "frame_urls": frame_urls(),
                "LANGUAGE_CODE": get_language(),
                "csrf_token": fragments.CSRF_SLOT,
                "bell_slot": mark_safe(BELL_SLOT),  # noqa: S308 - a constant
                "next_slot": NEXT_SLOT,
            },
        )

    html = fragments.shared("frame-nav", build, person, frame_urls()["home"])
    if signed_in:
        bell = render_to_string(
            "components/notification_bell.html",
            {"frame_urls": frame_urls(), "unread_notifications": context.get("unread_notifications", 0)},
        )
        html = html.replace(BELL_SLOT, bell)
    if request is None:  # rendered outside a request: no path to return to, no CSRF field (as csrf_token)
        html = html.replace(NEXT_SLOT, "").replace(fragments.CSRF_SLOT, "")
    else:
        html = fragments.with_csrf(request, html.replace(NEXT_SLOT, escape(request.get_full_path())))
    return mark_safe(html)  # noqa: S308 - the template's output, the bell's and an escaped path put in
