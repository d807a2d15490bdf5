"""Reads of the discussion engine, each a fixed number of queries however long the list."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from truonghoc import sql
from truonghoc.params import parse_ids
from units.models import Role
from units.permissions import Action, belongs_where_q, has_role, scope

from .models import Forum, Post, PostAttachment, PostReport, Thread
from .permissions import can_moderate_forum, can_see_every_thread, is_questions, owner_rules, registered_owner_models

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50


def national_forums() -> QuerySet[Forum]:
    return Forum.objects.filter(unit__isnull=True, owner_type__isnull=True).order_by("subject", "title")


def forum_threads(*, forum: Forum, user) -> QuerySet[Thread]:
    """The threads `user` may see; counts are kept on the thread, so no per-row query. In a questions
    forum: unanswered questions first, then by last activity, and a question not yet made public only
    for its asker and those who see every question."""
    threads = Thread.objects.filter(forum=forum).select_related("author", "deleted_by")
    if not is_questions(forum):
        return threads.order_by("-last_post_at", "-id")
    if not can_see_every_thread(user, forum):
        threads = threads.filter(Q(is_public=True) | Q(author_id=user.pk))
    # answered_at is also set when an answer is accepted, so it alone tells answered from not.
    waiting = Case(When(answered_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return threads.annotate(waiting_rank=waiting).order_by("waiting_rank", "-last_post_at", "-id")


def posts_counted() -> QuerySet[Post]:
    """The posts that count in statistics (reports): neither removed nor hidden by a moderator."""
    return Post.objects.alive().filter(is_hidden=False)


def _with_attachments(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.prefetch_related(Prefetch("attachments", queryset=PostAttachment.objects.order_by("created_at", "id")))


def thread_posts(*, thread: Thread) -> QuerySet[Post]:
    return _with_attachments(
        Post.objects.filter(thread=thread)
        .select_related("author", "quoted__author", "hidden_by", "deleted_by")
        .order_by("created_at", "id")
    )


# Plain SQL (truonghoc.sql): the page asks it on every view, and the ORM spent longer building this
# ten-aggregate query than the database spent answering it. CASE rather than FILTER, for SQLite too.
_POSTS_STAMP_SQL = """
SELECT COUNT(p.id), MAX(p.updated_at),
       COUNT(CASE WHEN p.is_hidden THEN 1 END), SUM(CASE WHEN p.is_hidden THEN p.id END), MAX(p.hidden_at),
       COUNT(p.deleted_at), MAX(p.deleted_at),
       MAX(a.updated_at), MAX(h.updated_at), MAX(d.updated_at)
  FROM forums_post p
  LEFT JOIN accounts_user a ON a.id = p.author_id
  LEFT JOIN accounts_user h ON h.id = p.hidden_by_id
  LEFT JOIN accounts_user d ON d.id = p.deleted_by_id
 WHERE p.thread_id = %s
"""


def thread_posts_stamp(*, thread: Thread) -> tuple:
    """What a thread's posts show, summed up in one small query: it changes whenever a post is added,
    edited, hidden, shown again or removed, or a name on it changes (a user's updated_at), so a page of
    posts kept under it is never stale. The first figure is the number of posts (the pager's count)."""
    return sql.row(_POSTS_STAMP_SQL, [thread.pk])


def accepted_answer(*, thread: Thread) -> Post | None:
    """The accepted answer with its files, shown under the question; one or two queries."""
    if thread.accepted_post_id is None:
        return None
    return (
        _with_attachments(Post.objects.alive().filter(pk=thread.accepted_post_id, is_hidden=False))
        .select_related("author")
        .first()
    )


def is_following(*, thread: Thread, user) -> bool:
    # Plain SQL (truonghoc.sql): asked on every view of a thread.
    return sql.row(_FOLLOWING_SQL, [thread.pk, user.pk]) is not None


_FOLLOWING_SQL = "SELECT 1 FROM forums_threadsubscription WHERE thread_id = %s AND user_id = %s AND following"


def post_page_number(*, post: Post) -> int:
    """Which page of its thread a post is on."""
    before = Post.objects.filter(thread_id=post.thread_id).filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.pk)
    )
    return before.count() // POSTS_PER_PAGE + 1


def forum_moderators(*, forum: Forum) -> list:
    users = get_users_with_perms(
        forum, only_with_perms_in=["moderate_forum"], with_superusers=False, with_group_users=False
    ).select_related("unit")
    return sorted(users, key=lambda u: (u.full_name, u.pk))


def forums_moderated_by(*, user) -> QuerySet[Forum]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Forum.objects.none()
    if user.is_superuser:
        return Forum.objects.all()
    granted = get_objects_for_user(
        user, "forums.moderate_forum", klass=Forum, accept_global_perms=False, with_superuser=False
    ).values("pk")
    query = (Q(pk__in=granted) & (Q(unit__isnull=True) | belongs_where_q(user))) | (
        Q(unit__isnull=False) & scope(user, Action.MANAGE).q("unit__")
    )
    if has_role(user, Role.MINISTRY_STAFF):
        query |= Q(unit__isnull=True)
    owned = _owner_forums_moderated_by(user)
    if owned:
        query |= Q(pk__in=owned)
    return Forum.objects.filter(query)


def _owner_ids_linked_to(model, user, depth: int = 0) -> Q:
    """Owners (courses, learning groups) the user is tied to: as `author` or `leader`, through an object
    permission (a co-instructor), or through the owner's `course`. A small candidate set, checked exactly
    against the owner's rules afterwards."""
    names = {f.name for f in model._meta.get_fields()}
    content_type = ContentType.objects.get_for_model(model)
    granted = UserObjectPermission.objects.filter(user=user, content_type=content_type).values_list(
        "object_pk", flat=True
    )
    query = Q(pk__in=parse_ids(granted))
    for field in ("author", "leader"):
        if field in names:
            query |= Q(**{field: user})
    if "course" in names and depth == 0:
        related = model._meta.get_field("course").related_model
        query |= Q(course__in=related.objects.filter(_owner_ids_linked_to(related, user, depth + 1)).values("pk"))
    return query


def _owner_forums_moderated_by(user) -> list[int]:
    candidates = Q(pk__in=[])
    for model in registered_owner_models():
        owners = model._default_manager.filter(_owner_ids_linked_to(model, user)).values("pk")
        candidates |= Q(owner_type=ContentType.objects.get_for_model(model), owner_id__in=owners)
    forums = Forum.objects.filter(candidates).select_related("unit", "owner_type")
    return [forum.pk for forum in forums if can_moderate_forum(user, forum)]


def question_recipients(*, forum: Forum) -> list:
    """Who is told of a new question: the forum's owner-side moderators (instructors, a group's leader)
    and its appointed moderators; not every manager of the unit."""
    User = get_user_model()
    people = {u.pk: u for u in forum_moderators(forum=forum)}
    rules = owner_rules(forum)
    if rules is not None and rules.moderators is not None:
        people.update({u.pk: u for u in rules.moderators(forum.owner)})
    elif rules is not None:
        owners = [forum.owner]
        course = getattr(forum.owner, "course", None)
        if course is not None:
            owners.append(course)
        ids = set()
        for owner in owners:
            ids.update(
                u.pk for u in get_users_with_perms(owner, with_superusers=False, with_group_users=False) if u.is_active
            )
            for field in ("author_id", "leader_id"):
                if getattr(owner, field, None):
                    ids.add(getattr(owner, field))
        people.update({u.pk: u for u in User.objects.filter(pk__in=ids - people.keys(), is_active=True)})
    return [u for u in people.values() if u.is_active and can_moderate_forum(u, forum)]


def moderation_queue(*, user) -> dict[str, QuerySet]:
    """Open reports and hidden posts of the forums this person moderates."""
    forums = forums_moderated_by(user=user).values("pk")
    reports = (
        PostReport.objects.filter(resolved_at__isnull=True, post__thread__forum__in=forums)
        .select_related("reporter", "post__author", "post__thread__forum")
        .order_by("created_at", "id")
    )
    hidden = (
        Post.objects.alive()
        .filter(is_hidden=True, thread__forum__in=forums)
        .select_related("author", "hidden_by", "thread__forum")
        .order_by("-hidden_at", "-id")
    )
    return {"reports": reports, "hidden": hidden}


def owner_forums(*, owner) -> dict[str, Forum]:
    """{kind: forum} of a course or learning group (forums are created by the owner's services)."""
    owner_type = ContentType.objects.get_for_model(owner)
    return {f.kind: f for f in Forum.objects.filter(owner_type=owner_type, owner_id=owner.pk)}
