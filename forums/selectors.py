"""Reads of the discussion engine, each a fixed number of queries however long the list."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from units.models import Role
from units.permissions import Action, has_role, scope

from .models import Forum, Post, PostReport, Thread

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50


def national_forums() -> QuerySet[Forum]:
    return Forum.objects.filter(unit__isnull=True, owner_type__isnull=True).order_by("subject", "title")


def forum_threads(*, forum: Forum) -> QuerySet[Thread]:
    """Newest activity first; counts are kept on the thread, so no per-row query."""
    return Thread.objects.filter(forum=forum).select_related("author", "deleted_by").order_by("-last_post_at", "-id")


def thread_posts(*, thread: Thread) -> QuerySet[Post]:
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "quoted__author", "hidden_by", "deleted_by")
        .order_by("created_at", "id")
    )


def post_page_number(*, post: Post) -> int:
    """Which page of its thread a post is on."""
    before = Post.objects.filter(thread_id=post.thread_id).filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.pk)
    )
    return before.count() // POSTS_PER_PAGE + 1


def forum_moderators(*, forum: Forum) -> list:
    users = get_users_with_perms(
        forum, only_with_perms_in=["moderate_forum"], with_superusers=False, with_group_users=False
    )
    return sorted(users, key=lambda u: (u.full_name, u.pk))


def forums_moderated_by(*, user) -> QuerySet[Forum]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Forum.objects.none()
    if user.is_superuser:
        return Forum.objects.all()
    granted = get_objects_for_user(
        user, "forums.moderate_forum", klass=Forum, accept_global_perms=False, with_superuser=False
    ).values("pk")
    query = Q(pk__in=granted) | (Q(unit__isnull=False) & scope(user, Action.MANAGE).q("unit__"))
    if has_role(user, Role.MINISTRY_STAFF):
        query |= Q(unit__isnull=True)
    return Forum.objects.filter(query)


def moderation_queue(*, user) -> dict[str, QuerySet]:
    """Open reports and hidden posts of the forums this person moderates."""
    forums = forums_moderated_by(user=user).values("pk")
    reports = (
        PostReport.objects.filter(resolved_at__isnull=True, post__thread__forum__in=forums)
        .select_related("reporter", "post__author", "post__thread__forum")
        .order_by("created_at", "id")
    )
    hidden = (
        Post.objects.filter(is_hidden=True, deleted_at__isnull=True, thread__forum__in=forums)
        .select_related("author", "hidden_by", "thread__forum")
        .order_by("-hidden_at", "-id")
    )
    return {"reports": reports, "hidden": hidden}


def owner_forums(*, owner) -> dict[str, Forum]:
    """{kind: forum} of a course or learning group (forums are created by the owner's services)."""
    owner_type = ContentType.objects.get_for_model(owner)
    return {f.kind: f for f in Forum.objects.filter(owner_type=owner_type, owner_id=owner.pk)}
