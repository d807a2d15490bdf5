"""Who may see, post in and moderate a forum. Scope rules come from units.permissions.

- A unit's forum is seen (and posted in) by those who may view the unit (Action.VIEW); a national
  forum by every logged-in, active person.
- Moderators: those given `forums.moderate_forum` on the forum (django-guardian) while they belong where
  the forum lives (`units.permissions.belongs_where`), those who manage the forum's unit (Action.MANAGE),
  and for national forums the Ministry's staff; superusers always.
- Moderators are appointed by those who manage the unit (Ministry staff for national forums).
- A forum owned by a course or learning group follows its owner's registered rules instead.
- In a questions forum a question not yet made public is seen only by its asker, the moderators and
  those who oversee the forum (VIEW_REPORTS on its unit, or the owner's `can_oversee` rule).
Out-of-scope forums, threads and posts look missing (404).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from truonghoc import sql
from units.models import Role
from units.permissions import Action, belongs_where, can, has_role, holds_grant

from .models import Forum, Post, PostAttachment, Thread

MODERATE_PERM = "forums.moderate_forum"


@dataclass(frozen=True)
class OwnerRules:
    """How an owning app (courses) decides who sees and moderates the forums of its objects. Registered
    from the owner app's AppConfig.ready(), so forums never imports the apps that use it."""

    can_view: Callable  # (user, owner) -> bool
    can_moderate: Callable  # (user, owner) -> bool
    # Optional: (user, owner) -> bool, who sees every question without moderating; by default those who
    # see the reports of the forum's unit.
    can_oversee: Callable | None = None
    # Optional: (owner) -> iterable of users told of each new question; by default found from the owner
    # (author, leader, object permissions, and the same through `owner.course`), see selectors.
    moderators: Callable | None = None
    # Optional: (owner) -> (title, url) of the owner's page, for the forum's breadcrumb.
    link: Callable | None = None
    # Optional: (owner) -> {key: text} replacing some of forums.views.QUESTION_WORDS, so a class lesson's
    # questions speak of its teachers rather than of instructors.
    words: Callable | None = None
    # Optional: (owner) -> iterable of users told of every new thread and reply in the owner's forums
    # (a topic's author), batched: one unread entry per forum, kept up to date.
    watchers: Callable | None = None
    # Optional: (user, owner) -> bool, who may write, when fewer than those who see (a child's homeroom
    # conversation: the principal reads it, only the parents and the homeroom teacher write).
    can_post: Callable | None = None
    # Optional: the owner's relations its rules read (a course's unit and audience), loaded with it when a
    # page loads the forum's owner (load_owner).
    related: tuple[str, ...] = ()


_OWNER_RULES: dict[type, OwnerRules] = {}


def register_owner_rules(
    model: type,
    *,
    can_view: Callable,
    can_moderate: Callable,
    can_oversee: Callable | None = None,
    moderators: Callable | None = None,
    link: Callable | None = None,
    words: Callable | None = None,
    watchers: Callable | None = None,
    can_post: Callable | None = None,
    related: tuple[str, ...] = (),
) -> None:
    _OWNER_RULES[model] = OwnerRules(
        can_view=can_view,
        can_moderate=can_moderate,
        can_oversee=can_oversee,
        moderators=moderators,
        link=link,
        words=words,
        watchers=watchers,
        can_post=can_post,
        related=related,
    )


def registered_owner_models() -> list[type]:
    return list(_OWNER_RULES)


def owner_rules(forum: Forum) -> OwnerRules | None:
    """The rules of the forum's owner, or None for a unit's or a national forum."""
    if forum.owner_type_id is None:
        return None
    rules = _OWNER_RULES.get(forum.owner_type.model_class())
    if rules is None:
        raise LookupError(f"No forum rules registered for {forum.owner_type}")
    return rules


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_view_forum(user, forum: Forum) -> bool:
    if not _active(user):
        return False
    rules = owner_rules(forum)
    if rules is not None:
        return bool(user.is_superuser or rules.can_view(user, forum.owner))
    if forum.unit_id is None:
        return True
    return can(user, Action.VIEW, forum.unit)


def can_post_in_forum(user, forum: Forum) -> bool:
    """Whether the person may write here at all (the complete-profile rule is checked by the services,
    so it can be explained)."""
    if not can_view_forum(user, forum):
        return False
    rules = owner_rules(forum)
    if rules is not None and rules.can_post is not None:
        return bool(rules.can_post(user, forum.owner))
    return True


def can_manage_forum(user, forum: Forum) -> bool:
    """Appoint and remove moderators."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if forum.unit_id is None:
        return has_role(user, Role.MINISTRY_STAFF)
    return can(user, Action.MANAGE, forum.unit)


def can_moderate_forum(user, forum: Forum) -> bool:
    if not _active(user):
        return False
    rules = owner_rules(forum)
    if rules is not None and rules.can_moderate(user, forum.owner):
        return True
    if can_manage_forum(user, forum):
        return True
    cache = user.__dict__.setdefault("_forum_moderation_cache", {})
    if forum.pk not in cache:
        # A grant counts while its holder belongs where the forum lives (issue #14): a moderator who
        # moved to another school no longer moderates the old school's forums.
        cache[forum.pk] = (
            (forum.unit_id is None or belongs_where(user, forum.unit))
            and holds_grant(user, MODERATE_PERM, forum)
            and can_view_forum(user, forum)
        )
    return cache[forum.pk]


def can_oversee_forum(user, forum: Forum) -> bool:
    """Sees every question of the forum (not only the public ones) without necessarily moderating."""
    if not can_view_forum(user, forum):
        return False
    rules = owner_rules(forum)
    if rules is not None and rules.can_oversee is not None:
        return bool(rules.can_oversee(user, forum.owner))
    return forum.unit_id is not None and can(user, Action.VIEW_REPORTS, forum.unit)


def can_see_every_thread(user, forum: Forum) -> bool:
    return can_moderate_forum(user, forum) or can_oversee_forum(user, forum)


def can_view_thread(user, thread: Thread) -> bool:
    forum = thread.forum
    if not can_view_forum(user, forum):
        return False
    return thread.is_public or thread.author_id == user.pk or can_see_every_thread(user, forum)


def can_reply(user, thread: Thread) -> bool:
    """Whether the reply form is offered; a locked thread stays open to its moderators."""
    if thread.is_deleted or not _active(user):
        return False
    return not thread.is_locked or can_moderate_forum(user, thread.forum)


def is_questions(forum: Forum) -> bool:
    return forum.kind == Forum.Kind.QUESTIONS


def can_moderate_thread(user, thread: Thread) -> bool:
    return can_moderate_forum(user, thread.forum)


def can_moderate_post(user, post: Post) -> bool:
    return can_moderate_forum(user, post.thread.forum)


def can_accept_answer(user, thread: Thread) -> bool:
    """The asker or a moderator picks the accepted answer of a question."""
    if not is_questions(thread.forum) or thread.is_deleted or not _active(user):
        return False
    return thread.author_id == user.pk or can_moderate_forum(user, thread.forum)


def can_publish_question(user, thread: Thread) -> bool:
    return (
        is_questions(thread.forum)
        and not thread.is_public
        and not thread.is_deleted
        and can_moderate_forum(user, thread.forum)
    )


def can_download_attachment(user, attachment) -> bool:
    """Files follow their post: whoever sees the post; a hidden or removed post's files (or those of a
    removed thread) only its moderators."""
    post = attachment.post
    if not can_view_thread(user, post.thread):
        return False
    if post.is_hidden or post.is_deleted or post.thread.is_deleted:
        return can_moderate_forum(user, post.thread.forum)
    return True


def can_edit_post(user, post: Post) -> bool:
    return _active(user) and post.author_id == user.pk and not post.is_deleted and not post.is_hidden


def can_delete_post(user, post: Post) -> bool:
    if post.is_deleted or not _active(user):
        return False
    return post.author_id == user.pk or can_moderate_forum(user, post.thread.forum)


def can_delete_thread(user, thread: Thread) -> bool:
    if thread.is_deleted or not _active(user):
        return False
    return thread.author_id == user.pk or can_moderate_forum(user, thread.forum)


@dataclass(frozen=True)
class ThreadViewer:
    """What one person may do on a thread's page, worked out from a single moderation check: the same
    answers as can_moderate_forum, can_accept_answer, can_publish_question, can_delete_thread and
    can_reply, which a page asking them one by one checked moderation five times over."""

    is_moderator: bool
    may_accept: bool
    may_publish: bool
    may_delete: bool
    may_reply: bool


def thread_viewer(user, thread: Thread) -> ThreadViewer:
    moderator = can_moderate_forum(user, thread.forum)  # False for an inactive or anonymous person
    questions = is_questions(thread.forum)
    live = not thread.is_deleted and _active(user)
    own = live and thread.author_id == user.pk
    return ThreadViewer(
        is_moderator=moderator,
        may_accept=questions and live and (own or moderator),
        may_publish=questions and not thread.is_public and live and moderator,
        may_delete=live and (own or moderator),
        may_reply=live and (not thread.is_locked or moderator),
    )


# The `may` of the helpers below: a further check the page needs (may this person moderate, delete…);
# failing it looks like a missing page, as failing to see it does.


def forum_for_user_or_404(user, pk, *, may=None) -> Forum:
    forum = get_object_or_404(Forum.objects.select_related("unit", "owner_type"), pk=pk)
    if not can_view_forum(user, forum) or (may is not None and not may(user, forum)):
        raise Http404
    return forum


def load_owner(forum: Forum) -> None:
    """Read the forum's owner and the relations its rules need (OwnerRules.related) as one-row reads
    (truonghoc.sql.instance), the forum's unit not again: the generic link and each relation's lazy read
    built an ORM query apiece."""
    rules = owner_rules(forum)
    if rules is not None and rules.related and forum.owner_id is not None:
        model = forum.owner_type.model_class()
        owner = sql.instance(model, forum.owner_id, *rules.related, known=[forum.unit] if forum.unit_id else [])
        if owner is not None:  # a missing owner is left to the generic link, as before
            forum.owner = owner


def thread_for_user_or_404(user, pk, *, may=None) -> Thread:
    thread = sql.instance(Thread, pk, "forum", "forum__unit", "forum__owner_type", "author", "deleted_by")
    if thread is None:
        raise Http404
    load_owner(thread.forum)
    if not can_view_thread(user, thread) or (may is not None and not may(user, thread)):
        raise Http404
    return thread


def post_for_user_or_404(user, pk, *, may=None) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("thread__forum__unit", "thread__forum__owner_type", "thread__author", "author"),
        pk=pk,
    )
    if not can_view_thread(user, post.thread) or (may is not None and not may(user, post)):
        raise Http404
    return post


def attachment_for_user_or_404(user, pk) -> PostAttachment:
    attachment = get_object_or_404(
        PostAttachment.objects.select_related("post__thread__forum__unit", "post__thread__forum__owner_type"), pk=pk
    )
    if not can_download_attachment(user, attachment):
        raise Http404
    return attachment
