"""Reads of news articles, each a fixed number of queries however many articles there are.

A unit's space shows its own approved articles, those of the units directly below it (which it
approved), and those promoted to it. The national front page is the Ministry's space.
"""

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from forums.models import Forum, Thread
from forums.selectors import owner_forums
from units.models import Unit
from units.permissions import AUTHORITY_ROLES, units_where
from units.selectors import children_q, parent_path, path_depth

from ..models import Article, ArticleImage
from ..permissions.news import NEWS_UNIT_KINDS, can_write_news


def _published() -> QuerySet[Article]:
    return (
        Article.objects.alive()
        .filter(status=Article.Status.APPROVED)
        .select_related("unit", "author")
        .order_by("-published_at", "-id")
    )


def space_q(unit: Unit) -> Q:
    return Q(unit=unit) | children_q(unit) | Q(promoted_to=unit)


def news_published(*, unit: Unit | None = None) -> QuerySet[Article]:
    """Approved articles, newest first: all of them, or those shown on `unit`'s space. Public."""
    articles = _published()
    return articles.filter(space_q(unit)) if unit is not None else articles


def picture_file(field):
    """The stored picture of a cover or gallery field, or None. Pictures are private files since issue #14;
    one uploaded before is still where it was kept then (public media) until moved there
    (`manage.py news_pictures_private`), and is read from there meanwhile."""
    if not field:
        return None
    if field.storage.exists(field.name):
        return field
    if default_storage.exists(field.name):
        return default_storage.open(field.name, "rb")
    return None


def article_images(*, article: Article) -> list[ArticleImage]:
    return list(article.images.order_by("position", "id"))


def article_comments(*, article: Article, limit: int = 5) -> tuple[Forum | None, list[Thread]]:
    """The article's comments forum (made at its first approval) and its latest threads."""
    forum = owner_forums(owner=article).get(Forum.Kind.DISCUSSION)
    if forum is None:
        return None, []
    threads = (
        Thread.objects.alive()
        .filter(forum=forum, is_public=True)
        .select_related("author")
        .order_by("-last_post_at", "-id")[:limit]
    )
    return forum, list(threads)


def review_queue(*, user) -> QuerySet[Article]:
    """Articles waiting for this person's approval: those of the units directly below a unit they
    manage themselves (and the Ministry's own, for its staff). Oldest waiting first."""
    articles = Article.objects.alive().filter(status=Article.Status.SUBMITTED).select_related("unit", "author")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return articles.none()
    if user.is_superuser:
        return articles.order_by("updated_at", "id")
    query = Q(pk__in=[])
    for _role, path, _kind in units_where(user, AUTHORITY_ROLES):
        query |= children_q(path)
        if path_depth(path) == 1:
            query |= Q(unit__path=path)
    return articles.filter(query).order_by("updated_at", "id")


def my_articles(*, user) -> QuerySet[Article]:
    """What this person wrote, removed ones included (they can be restored), last changed first."""
    return (
        Article.objects.filter(author=user)
        .select_related("unit", "reviewed_by", "promoted_to")
        .order_by("-updated_at", "-id")
    )


def writable_units(*, user) -> list[Unit]:
    """The units this person may write news for."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    paths = set()
    for _role, path, kind in units_where(user):
        # A teacher's role at a professional group writes for the school.
        paths.add(parent_path(path) if kind == Unit.Kind.GROUP else path)
    units = Unit.objects.filter(path__in=paths, kind__in=NEWS_UNIT_KINDS, is_active=True).order_by("path")
    return [unit for unit in units if can_write_news(user, unit)]
