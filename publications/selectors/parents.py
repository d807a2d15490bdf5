"""What parents read (issue #17): the issued letters also addressed to the parents of a unit their
children are in (a class, a school, or any unit above: all the parents of its subtree), and the approved
news written "for parents too" by those units. Nothing else of the letters and news reaches a parent
account here; staff-only letters stay out by `parents_unit` being empty."""

from django.db.models import QuerySet

from ..models import Article, Letter
from ..permissions.letters import parent_reach_paths, parents_letters_q


def parent_letters(*, user) -> QuerySet[Letter]:
    """The letters addressed to this parent, newest first (one query)."""
    query = parents_letters_q(user)
    if query is None:
        return Letter.objects.none()
    return (
        Letter.objects.filter(query).select_related("issuer", "parents_unit").order_by("-issued_on", "-number", "-id")
    )


def parent_news(*, user) -> QuerySet[Article]:
    """The approved news for parents of the units their children are in, newest first (one query)."""
    paths = parent_reach_paths(user)
    if not paths:
        return Article.objects.none()
    return (
        Article.objects.alive()
        .filter(status=Article.Status.APPROVED, for_parents=True, unit__path__in=paths)
        .select_related("unit")
        .order_by("-published_at", "-id")
    )


def parent_front(*, user, limit: int = 3) -> dict:
    """The parent's home card: the latest letters and news addressed to them (three queries)."""
    return {"letters": list(parent_letters(user=user)[:limit]), "articles": list(parent_news(user=user)[:limit])}
