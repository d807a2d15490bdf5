"""Who may write, review, promote and see news articles.

- Writers for a unit: the people who manage that unit itself (Ministry/Department/Office staff, a
  school's admin and principal) and, for a school, its teachers (held at the school or one of its
  groups). Staff of the units above do not write on a school's behalf.
- Reviewers: the people who manage the unit directly above the article's unit (the Ministry's staff
  for the Ministry's own articles). Holding the role at that unit itself matters: the Ministry does
  not review every school's article in the country.
- Promotion: an approved article is shown on its unit's and its parent's spaces; the managers of a
  unit above that level move it one level up at a time, at most to their own unit, up to the
  Ministry (the national front page).
- Approved articles are public (anonymous visitors too: a link can be shared); drafts, waiting and
  returned articles are seen only by their author, the unit's managers and the reviewers. Removed
  articles only by their author and the unit's managers (who may restore them).
- Pictures follow their article (`article_pictures_for_user_or_404`): they are private files, public
  only while the article is published.
Everyone else gets a 404, as if the article did not exist.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Unit
from units.permissions import AUTHORITY_ROLES, TEACHING_ROLES, Action, can, holds_role_at, role_reaches, units_where
from units.selectors import parent_path as unit_parent_path

from ..models import Article

NEWS_UNIT_KINDS = frozenset(
    {Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE, Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY}
)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def parent_path(path: str) -> str | None:
    return unit_parent_path(path) or None


def review_path(unit: Unit) -> str:
    """The path of the unit whose managers approve this unit's articles: its parent, or itself at the top."""
    return parent_path(unit.path) or unit.path


def manages_itself(user, path: str) -> bool:
    """A managing role held at this very unit (not only somewhere above it)."""
    if not _active(user):
        return False
    return user.is_superuser or holds_role_at(user, path, AUTHORITY_ROLES)


def can_write_news(user, unit: Unit) -> bool:
    if not _active(user) or unit.kind not in NEWS_UNIT_KINDS or not unit.is_active:
        return False
    if manages_itself(user, unit.path):
        return True
    if not unit.is_school:
        return False
    # Teachers hold their role at the school or at one of its professional groups.
    return holds_role_at(user, unit, TEACHING_ROLES) or any(
        held.is_within(unit) for held in units_where(user, TEACHING_ROLES, kinds=[Unit.Kind.GROUP])
    )


def can_edit_article(user, article: Article) -> bool:
    """The author edits, in any state; an approved article stays published (its update date shows)."""
    return _active(user) and article.author_id == user.pk and not article.is_deleted


def can_submit_article(user, article: Article) -> bool:
    return can_edit_article(user, article) and article.status in (Article.Status.DRAFT, Article.Status.REJECTED)


def can_review_article(user, article: Article) -> bool:
    return (
        not article.is_deleted
        and article.status == Article.Status.SUBMITTED
        and manages_itself(user, review_path(article.unit))
    )


def can_manage_article(user, article: Article) -> bool:
    """Remove and restore: the author, or those who manage the article's unit."""
    if not _active(user):
        return False
    return article.author_id == user.pk or can(user, Action.MANAGE, article.unit)


def can_restore_article(user, article: Article) -> bool:
    """An article the unit's managers removed stays removed for its author: only the managers bring it
    back (otherwise moderation could be undone by the person moderated)."""
    if not _active(user):
        return False
    if can(user, Action.MANAGE, article.unit):
        return True
    return article.author_id == user.pk and article.deleted_by_id in (None, user.pk)


def is_visible_to_public(article: Article) -> bool:
    return article.status == Article.Status.APPROVED and not article.is_deleted


def can_view_article(user, article: Article) -> bool:
    if is_visible_to_public(article):
        return True
    if can_manage_article(user, article):
        return True
    return not article.is_deleted and manages_itself(user, review_path(article.unit))


def can_moderate_comments(user, article: Article) -> bool:
    """The comments forum is moderated by the managers of the article's unit and of its parent (and
    those above: a managing role reaches the whole subtree)."""
    return _active(user) and can(user, Action.MANAGE, article.unit)


def can_view_comments(user, article: Article) -> bool:
    """Comments are for logged-in people who may see the article (approved ones: every logged-in person)."""
    return _active(user) and can_view_article(user, article)


def article_level(article: Article) -> Unit:
    """The highest unit whose space shows the approved article: where it was promoted to, else its
    parent (the Ministry's own articles: the Ministry)."""
    if article.promoted_to_id:
        return article.promoted_to
    path = parent_path(article.unit.path)
    return Unit.objects.get(path=path) if path else article.unit


def next_promotion(article: Article) -> Unit | None:
    """The unit one level above the article's current level, or None at the national front page."""
    level = article_level(article)
    path = parent_path(level.path)
    return Unit.objects.get(path=path) if path else None


def can_promote_article(user, article: Article, target: Unit | None = None) -> bool:
    """`target` is next_promotion(article), passed when already known to save the query."""
    if not _active(user) or not is_visible_to_public(article):
        return False
    if target is None:
        target = next_promotion(article)
    return target is not None and _manages_at_or_above(user, target.path)


def can_unpromote_article(user, article: Article) -> bool:
    return (
        _active(user)
        and is_visible_to_public(article)
        and article.promoted_to_id is not None
        and _manages_at_or_above(user, article.promoted_to.path)
    )


def _manages_at_or_above(user, path: str) -> bool:
    """A managing role held at this unit or at a unit above it (the parent's managers moderate the
    article's unit too, since their role reaches its subtree)."""
    if not _active(user):
        return False
    return user.is_superuser or role_reaches(user, path, AUTHORITY_ROLES)


def article_for_user_or_404(user, pk) -> Article:
    article = get_object_or_404(
        Article.objects.select_related("unit", "author", "reviewed_by", "promoted_to", "deleted_by"), pk=pk
    )
    if not can_view_article(user, article):
        raise Http404
    return article


def article_pictures_for_user_or_404(user, pk) -> Article:
    """The article whose pictures the user may see: anyone's while it is published (without reading who
    asks, so the answer may be cached publicly), else only for those who see the article (its author, its
    unit's managers, its reviewers); a draft's, a returned or a removed article's pictures look missing
    to everyone else."""
    article = get_object_or_404(Article.objects.select_related("unit"), pk=pk)
    if is_visible_to_public(article):
        return article
    if not can_view_article(user, article):
        raise Http404
    return article
