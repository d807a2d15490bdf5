"""Front pages: the national one (the public home page) and each unit's space. Each is two queries
whatever the number of articles and letters (one for the news, one for the letters)."""

from django.db.models import Q

from units.models import Unit
from units.permissions import role_ancestor_paths
from units.selectors import ancestor_paths as unit_ancestor_paths
from units.selectors import in_subtree_q

from ..models import Article, Letter
from ..permissions.letters import letters_visible_q

FRONT_LIMIT = 6


def _published_articles():
    return (
        Article.objects.alive()
        .filter(status=Article.Status.APPROVED, published_at__isnull=False)
        .select_related("unit", "author")
        .only(
            "pk",
            "title",
            "summary",
            "cover",
            "published_at",
            "created_at",
            "updated_at",
            "unit__id",
            "unit__name",
            "unit__kind",
            "author__id",
            "author__full_name",
            "author__username",
        )
        .order_by("-published_at", "-id")
    )


def _issued_letters():
    return (
        Letter.objects.filter(status=Letter.Status.ISSUED)
        .select_related("issuer")
        .only(
            "pk",
            "number",
            "symbol",
            "issued_on",
            "subject",
            "is_public",
            "issuer__id",
            "issuer__name",
            "issuer__kind",
        )
        .order_by("-issued_on", "-number", "-id")
    )


def _national_articles():
    return _published_articles().filter(Q(promoted_to__kind=Unit.Kind.MINISTRY) | Q(unit__kind=Unit.Kind.MINISTRY))


def national_front(*, limit: int = FRONT_LIMIT) -> dict:
    """The latest articles promoted to the national front page (the Ministry), or the Ministry's own, and
    the latest public letters."""
    articles = _national_articles()
    letters = _issued_letters().filter(is_public=True)
    return {"articles": list(articles[:limit]), "letters": list(letters[:limit])}


def ancestor_paths(unit: Unit) -> list[str]:
    """Paths of the unit and every unit above it, read from its own path (no query)."""
    return unit_ancestor_paths(unit.path)


def unit_front(*, unit: Unit, user, limit: int = FRONT_LIMIT) -> dict:
    """A unit's space: approved articles of the unit and the units above it, articles from below that
    were promoted to this unit or higher; and the latest letters the visitor may see issued by the unit
    or the units above it."""
    paths = ancestor_paths(unit)
    articles = _published_articles().filter(
        Q(unit__path__in=paths) | Q(in_subtree_q(unit), promoted_to__path__in=paths)
    )
    letters = _issued_letters().filter(letters_visible_q(user), issuer__path__in=paths)
    return {"articles": list(articles[:limit]), "letters": list(letters[:limit])}


def personal_paths(user) -> set[str]:
    """Paths of the units where a person holds a role and of every unit above them: their group or
    class, school, Office, Department, the Ministry. No query beyond the (cached) roles."""
    return set(role_ancestor_paths(user))


def personal_news(*, user):
    """Approved news a person reads on their own space: the articles of their units and of the units
    above them, those promoted to any of these, and the national ones."""
    paths = personal_paths(user)
    national = Q(promoted_to__kind=Unit.Kind.MINISTRY) | Q(unit__kind=Unit.Kind.MINISTRY)
    if not paths:
        return _published_articles().filter(national)
    return _published_articles().filter(national | Q(unit__path__in=paths) | Q(promoted_to__path__in=paths))


def personal_front(*, user, limit: int = 3) -> dict:
    """The "News and letters" card of a person's own space: the newest news of their school and the units
    above it (national news included), and the latest letters they may see from anywhere (sent to their
    units, issued by the units they look after, public)."""
    articles = personal_news(user=user)
    letters = _issued_letters().filter(letters_visible_q(user))
    return {"articles": list(articles[:limit]), "letters": list(letters[: limit + 2])}
