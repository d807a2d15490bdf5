"""Reads of contests that depend on who asks: the public list, a person's contests, an organiser's, a round's
ranking and who went on, and the test engine's rule for a round's participants."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from truonghoc.params import parse_int
from truonghoc.text import fold
from units.models import ancestor_paths, in_subtree_q
from units.permissions import has_role

# Reports read the contest figures here: per unit (unit_figures), per school for its snapshots (school_figures).
from .figures import school_figures, unit_figures  # noqa: F401
from .models import Award, Contest, Registration, Round, RoundEntry, TeamMember
from .permissions import AUDIENCE_ROLES, organiser_units, schools_registering

PUBLIC_STATUSES = (Contest.Status.ANNOUNCED, Contest.Status.RUNNING, Contest.Status.FINISHED)


def contests_public(*, q: str = "") -> QuerySet[Contest]:
    """Announced contests (running and finished too), newest first, searched word by word without accents."""
    rows = Contest.objects.filter(status__in=PUBLIC_STATUSES).select_related("organiser")
    for word in fold(q).split()[:8]:
        rows = rows.filter(search_text__contains=word)
    return rows.order_by("-announced_at", "-id")


def contests_organised(*, user) -> QuerySet[Contest]:
    """Contests of the units where the user organises (drafts included)."""
    units = organiser_units(user)
    return (
        Contest.objects.filter(organiser__in=units)
        .select_related("organiser")
        .annotate(registered=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)))
        .order_by("-created_at", "-id")
    )


def my_registrations(*, user) -> QuerySet[Registration]:
    """The user's registrations, alone or in a team, with their contest and their entries."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    teams = TeamMember.objects.filter(user=user).values("team_id")
    return (
        Registration.objects.filter(Q(user=user) | Q(team_id__in=teams))
        .select_related("contest__organiser", "team", "school")
        .prefetch_related(
            Prefetch("entries", queryset=RoundEntry.objects.select_related("round").order_by("round__order"))
        )
        .order_by("-created_at", "-id")
    )


def open_for_registration(*, user, now=None) -> QuerySet[Contest]:
    """Announced contests taking registrations now that reach a school of the user (for the home page link)."""
    now = now or timezone.now()
    rows = Contest.objects.filter(
        status=Contest.Status.ANNOUNCED, registration_opens_at__lte=now, registration_closes_at__gt=now
    )
    home = getattr(user, "unit", None)
    audiences = [a for a, roles in AUDIENCE_ROLES.items() if has_role(user, *roles)]
    if home is None or not (audiences or schools_registering(user)):
        return rows.none()
    if not schools_registering(user):  # a school's managers register students and teachers alike
        rows = rows.filter(audience__in=audiences)
    return (
        rows.filter(organiser__path__in=ancestor_paths(home.path))
        .select_related("organiser")
        .order_by("registration_closes_at")
    )


def contest_rounds(*, contest: Contest) -> list[Round]:
    return list(contest.rounds.select_related("quiz").order_by("order"))


def registrations_by_school(*, contest: Contest) -> list[dict]:
    """Per school: how many registrations (for the organiser and the quota)."""
    return list(
        contest.registrations.filter(status=Registration.Status.REGISTERED)
        .values("school__name", "school_id")
        .annotate(count=Count("id"))
        .order_by("school__name")
    )


def school_registrations(*, contest: Contest, school) -> QuerySet[Registration]:
    return (
        contest.registrations.filter(school=school)
        .select_related("user", "team", "unit")
        .prefetch_related("team__members__user")
        .order_by("status", "created_at")
    )


@dataclass
class RoundView:
    """What a page may show of a round now."""

    round: Round
    qualified_visible: bool  # closed: who goes on is visible to every participant
    results_visible: bool  # published: ranks and scores are public


def round_view(rnd: Round, now=None) -> RoundView:
    now = now or timezone.now()
    published = bool(rnd.closed_at and rnd.results_publish_at and now >= rnd.results_publish_at)
    return RoundView(round=rnd, qualified_visible=bool(rnd.closed_at), results_visible=published)


# A round's results table (the public page and the organiser's page show the same one): rows per page.
RESULTS_PAGE_SIZE = 50


def round_entries(*, rnd: Round, status: str | None = None, unit=None) -> QuerySet[RoundEntry]:
    """A round's entries by unit and rank (unranked ones last, best score first), with the participant, school
    and `prize` (the round's award, "" without one): THE ranking both results pages print (a fixed few queries
    per page)."""
    prize = Award.objects.filter(round=rnd, entry=OuterRef("pk")).values("prize")[:1]
    rows = rnd.entries.select_related(
        "registration__user", "registration__team", "registration__school", "rank_unit"
    ).annotate(prize=Coalesce(Subquery(prize), Value("")))
    if status:
        rows = rows.filter(status=status)
    if unit is not None:
        rows = rows.filter(in_subtree_q(unit, "registration__school"))
    return rows.order_by(
        "rank_unit__name", "rank_unit_id", F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "id"
    )


def round_results_page(*, rnd: Round, status: str | None = None, number=None) -> Page:
    """One page of `round_entries` (`number` as the query string gave it)."""
    return Paginator(round_entries(rnd=rnd, status=status), RESULTS_PAGE_SIZE).get_page(parse_int(number, default=1))


def takes_round_test(user, quiz) -> bool:
    """The test engine's taker rule (materials.permissions.quizzes.register_taker_rule): a participant of an
    open online round taken with `quiz`, during the round's window, may take it."""
    if not getattr(user, "is_authenticated", False):
        return False
    now = timezone.now()
    teams = TeamMember.objects.filter(user=user).values("team_id")
    return RoundEntry.objects.filter(
        Q(registration__user=user) | Q(registration__team_id__in=teams),
        round__quiz_id=quiz.pk,
        round__kind=Round.Kind.TEST,
        round__closed_at__isnull=True,
        round__opens_at__lte=now,
        round__closes_at__gt=now,
        status=RoundEntry.Status.ENTERED,
        registration__status=Registration.Status.REGISTERED,
    ).exists()
