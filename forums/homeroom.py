"""A child's conversation between their parents and their class's homeroom teacher (GVCN), issue #17.

Built on the one discussion engine, not beside it: each child has one private forum, owned by the
child's account (`Forum.owner`, one forum per owner and kind), living in the child's school, and one
thread in it, started by whichever side writes first. Every guardian of the child (all current
`Guardianship` links) and the homeroom teacher of the child's current class share that thread.

Who (the owner rules registered in `apps.py`):
- reads and writes: the child's current parents (`accounts.permissions.is_parent_of`) and the homeroom
  teacher of the class the child is in now (`Unit.homeroom_teacher`; a new homeroom teacher takes the
  conversation over, the old one stops seeing it);
- reads only: the principal of the child's school (safeguarding: the head answers for what is said to
  families in the school's name; never the school admin, the subject teachers or anyone above the school);
- nobody moderates: there is no one between the two sides (the thread cannot be locked or hidden).
Everyone else gets a 404, as for a missing page.

Unread: `ThreadSubscription.last_read_at` of each person (set when they open the conversation or write
in it); a thread whose last post is later is unread for them. Notifications: the first message tells
the other participants (`notify`); later ones reach them through the engine's followers, as every
participant follows the thread (an explicit unfollow is kept).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import is_parent_of
from accounts.selectors import guardians_of
from notifications.services import notify
from truonghoc.richtext import excerpt, html_text
from truonghoc.text import fold
from units.models import Role, RoleAssignment, Unit
from units.permissions import holds_role_at

from .models import Forum, Post, Thread, ThreadSubscription

User = get_user_model()
READER_ROLES = frozenset({Role.PRINCIPAL})


# --- who -------------------------------------------------------------------------------------------
def child_class(child) -> Unit | None:
    """The class the student is in now, with its homeroom teacher (one query)."""
    return (
        Unit.objects.filter(
            kind=Unit.Kind.CLASS, is_active=True, role_assignments__user=child, role_assignments__role=Role.STUDENT
        )
        .select_related("homeroom_teacher")
        .order_by("-role_assignments__created_at", "-id")
        .first()
    )


def homeroom_teacher_of(child) -> User | None:
    school_class = child_class(child)
    teacher = school_class.homeroom_teacher if school_class is not None else None
    return teacher if teacher is not None and teacher.is_active else None


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_student(child) -> bool:
    return getattr(child, "account_type", "") == User.AccountType.STUDENT and child.is_active


def is_homeroom_teacher_of(user, child) -> bool:
    if not _active(user) or not _is_student(child):
        return False
    return Unit.objects.filter(
        kind=Unit.Kind.CLASS,
        is_active=True,
        homeroom_teacher_id=user.pk,
        role_assignments__user=child,
        role_assignments__role=Role.STUDENT,
    ).exists()


def can_write_homeroom(user, child) -> bool:
    """The child's parents and the homeroom teacher of the child's class."""
    if not _active(user) or not _is_student(child):
        return False
    return is_parent_of(user, child) or is_homeroom_teacher_of(user, child)


def can_read_homeroom(user, child) -> bool:
    """Those who write, and the principal of the child's school (see the module's docstring)."""
    if not _active(user) or not _is_student(child):
        return False
    if can_write_homeroom(user, child):
        return True
    return child.unit is not None and holds_role_at(user, child.unit, READER_ROLES)


def homeroom_child_for_user_or_404(user, pk) -> User:
    """The child whose conversation the person may read; any other id looks missing."""
    from django.http import Http404

    child = User.objects.select_related("unit").filter(pk=pk).first()
    if child is None or not can_read_homeroom(user, child):
        raise Http404
    return child


def participants(child) -> list:
    """Who writes in the child's conversation: the parents, then the homeroom teacher (active only)."""
    people = [link.parent for link in guardians_of(child=child) if link.parent.is_active]
    teacher = homeroom_teacher_of(child)
    if teacher is not None:
        people.append(teacher)
    return people


def homeroom_child_id(forum: Forum) -> int | None:
    """The child whose conversation this forum is, or None for any other forum (the generic thread pages
    send these to the conversation's own page)."""
    if forum.owner_type_id is None:
        return None
    if forum.owner_type_id != ContentType.objects.get_for_model(User).pk:
        return None
    return forum.owner_id


# --- reads -----------------------------------------------------------------------------------------
def homeroom_thread(*, child) -> Thread | None:
    """The child's conversation thread, or None before the first message (one query)."""
    return (
        Thread.objects.alive()
        .filter(forum__owner_type=ContentType.objects.get_for_model(User), forum__owner_id=child.pk)
        .select_related("forum")
        .order_by("id")
        .first()
    )


def homeroom_posts(*, thread: Thread):
    return (
        Post.objects.alive()
        .filter(thread=thread, is_hidden=False)
        .select_related("author")
        .order_by("created_at", "id")
    )


def last_read_at(*, thread: Thread, user) -> datetime | None:
    return ThreadSubscription.objects.filter(thread=thread, user=user).values_list("last_read_at", flat=True).first()


@dataclass
class HomeroomRow:
    child: User
    class_name: str
    thread: Thread | None
    unread: bool


def _unread(thread: Thread | None, read_at) -> bool:
    return thread is not None and (read_at is None or thread.last_post_at > read_at)


def homeroom_rows(*, user, query: str = "") -> list[HomeroomRow]:
    """The conversations a homeroom teacher has: one row per active student of the classes they are the
    homeroom teacher of, with the thread when there is one; unread first, then the latest activity, then
    the children nobody wrote about yet, by name. For a principal, also every conversation already started
    in their schools (read only). A fixed number of queries, whatever the number of classes."""
    students = RoleAssignment.objects.filter(
        role=Role.STUDENT,
        user__is_active=True,
        user__account_type=User.AccountType.STUDENT,
        unit__kind=Unit.Kind.CLASS,
        unit__is_active=True,
    )
    scope = Q(unit__homeroom_teacher_id=user.pk)
    schools = [held.path for held in _principal_of(user)]
    user_type = ContentType.objects.get_for_model(User)
    if schools:
        started = Forum.objects.filter(owner_type=user_type, unit__path__in=schools).values("owner_id")
        scope |= Q(user_id__in=Subquery(started))
    rows = students.filter(scope)
    folded = fold(query)
    if folded:
        rows = rows.filter(user__name_folded__contains=folded)
    rows = list(rows.select_related("user__unit", "unit").order_by("user__name_sort", "user_id"))
    seen, assignments = set(), []
    for row in rows:  # a student in two classes (a moment during a move): once, in the newer class
        if row.user_id not in seen:
            seen.add(row.user_id)
            assignments.append(row)
    reads = ThreadSubscription.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_at")[:1]
    threads = {
        thread.forum.owner_id: thread
        for thread in Thread.objects.alive()
        .filter(forum__owner_type=user_type, forum__owner_id__in=list(seen))
        .select_related("forum")
        .annotate(read_at=Subquery(reads))
        .order_by("id")
    }
    result = [
        HomeroomRow(
            child=row.user,
            class_name=row.unit.name,
            thread=threads.get(row.user_id),
            unread=_unread(threads.get(row.user_id), getattr(threads.get(row.user_id), "read_at", None)),
        )
        for row in assignments
    ]
    return sorted(
        result,
        key=lambda r: (not r.unread, r.thread is None, -(r.thread.last_post_at.timestamp() if r.thread else 0)),
    )


def _principal_of(user):
    from units.permissions import units_where

    return units_where(user, READER_ROLES) if _active(user) else []


def homeroom_unread_count(*, user) -> int | None:
    """For the teacher's home page: None when the person is no homeroom teacher (nor a principal), else
    how many of their conversations have unread messages (two queries)."""
    if not _active(user):
        return None
    classes = Unit.objects.filter(kind=Unit.Kind.CLASS, is_active=True, homeroom_teacher_id=user.pk)
    if not classes.exists() and not _principal_of(user):
        return None
    user_type = ContentType.objects.get_for_model(User)
    children = RoleAssignment.objects.filter(role=Role.STUDENT, unit__in=classes).values("user_id")
    reads = ThreadSubscription.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_at")[:1]
    threads = (
        Thread.objects.alive()
        .filter(forum__owner_type=user_type, forum__owner_id__in=Subquery(children))
        .annotate(read_at=Subquery(reads))
        .values_list("last_post_at", "read_at")
    )
    return sum(1 for last, read in threads if read is None or last > read)


def homeroom_summary(*, child, user) -> dict:
    """What the parent's home page shows of the conversation about `child`: the homeroom teacher, the
    last message and whether it is unread (two queries)."""
    reads = ThreadSubscription.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_at")[:1]
    thread = (
        Thread.objects.alive()
        .filter(forum__owner_type=ContentType.objects.get_for_model(User), forum__owner_id=child.pk)
        .annotate(read_at=Subquery(reads))
        .order_by("id")
        .first()
    )
    return {
        "thread": thread,
        "unread": _unread(thread, thread.read_at) if thread is not None else False,
        "teacher": homeroom_teacher_of(child),
        "url": reverse("forums:homeroom", args=[child.pk]),
    }


# --- writes ----------------------------------------------------------------------------------------
def _mark_read(thread: Thread, user, when) -> None:
    subscription, _created = ThreadSubscription.objects.get_or_create(thread=thread, user=user)
    if subscription.last_read_at is None or subscription.last_read_at < when:
        ThreadSubscription.objects.filter(pk=subscription.pk).update(last_read_at=when)


def homeroom_mark_read(*, thread: Thread, user) -> None:
    """The person opened the conversation: every post so far is read for them."""
    _mark_read(thread, user, timezone.now())


def _title(child) -> str:
    return _("Parents and homeroom teacher · %(child)s") % {"child": child.full_name}


@transaction.atomic
def homeroom_message_send(*, actor, child, body: str) -> Post:
    """A message in the child's conversation, by one of the child's parents or the homeroom teacher.
    The first one creates the child's forum and thread and tells the other participants; a refused
    message (someone else, an empty text) writes nothing."""
    from .services import forum_for_owner, post_reply, thread_create

    child = User.objects.select_related("unit").get(pk=child.pk)
    if not can_write_homeroom(actor, child):
        raise ValidationError(
            _("Only the child's parents and the class's homeroom teacher write in this conversation.")
        )
    if child.unit is None:
        raise ValidationError(_("This student belongs to no school."))
    forum = forum_for_owner(owner=child, unit=child.unit, title=_title(child))
    # Two first messages at once (two parents) make one thread: the forum row serialises them.
    Forum.objects.select_for_update().filter(pk=forum.pk).first()
    thread = homeroom_thread(child=child)
    people = participants(child)
    if thread is None:
        thread = thread_create(actor=actor, forum=forum, title=_title(child), body=body)
        post = thread.posts.get()
        for person in people:
            ThreadSubscription.objects.get_or_create(thread=thread, user=person)
        notify(
            recipients=[p for p in people if p.pk != actor.pk],
            title=_("%(name)s wrote about %(child)s") % {"name": actor.full_name, "child": child.full_name},
            body=excerpt(html_text(post.body), 300),
            url=reverse("forums:homeroom", args=[child.pk]),
        )
    else:
        for person in people:  # a parent linked or a homeroom teacher named since the first message
            ThreadSubscription.objects.get_or_create(thread=thread, user=person)
        post = post_reply(actor=actor, thread=thread, body=body)
    _mark_read(thread, actor, post.created_at)
    return post
