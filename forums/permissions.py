"""Who may see, post in and moderate a forum. Scope rules come from units.permissions.

- A unit's forum is seen (and posted in) by those who may view the unit (Action.VIEW); a national
  forum by every logged-in, active person.
- Moderators: those given `forums.moderate_forum` on the forum (django-guardian), those who manage
  the forum's unit (Action.MANAGE), and for national forums the Ministry's staff; superusers always.
- Moderators are appointed by those who manage the unit (Ministry staff for national forums).
Out-of-scope forums, threads and posts look missing (404).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Role
from units.permissions import Action, can, has_role

from .models import Forum, Post, Thread

MODERATE_PERM = "forums.moderate_forum"


@dataclass(frozen=True)
class OwnerRules:
    """How an owning app (courses) decides who sees and moderates the forums of its objects. Registered
    from the owner app's AppConfig.ready(), so forums never imports the apps that use it."""

    can_view: Callable  # (user, owner) -> bool
    can_moderate: Callable  # (user, owner) -> bool


_OWNER_RULES: dict[type, OwnerRules] = {}


def register_owner_rules(model: type, *, can_view: Callable, can_moderate: Callable) -> None:
    _OWNER_RULES[model] = OwnerRules(can_view=can_view, can_moderate=can_moderate)


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
    return can_view_forum(user, forum)


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
        cache[forum.pk] = user.has_perm(MODERATE_PERM, forum) and can_view_forum(user, forum)
    return cache[forum.pk]


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


def forum_for_user_or_404(user, pk) -> Forum:
    forum = get_object_or_404(Forum.objects.select_related("unit"), pk=pk)
    if not can_view_forum(user, forum):
        raise Http404
    return forum


def thread_for_user_or_404(user, pk) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("forum__unit", "author", "deleted_by"), pk=pk)
    if not can_view_forum(user, thread.forum):
        raise Http404
    return thread


def post_for_user_or_404(user, pk) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__forum__unit", "author"), pk=pk)
    if not can_view_forum(user, post.thread.forum):
        raise Http404
    return post
