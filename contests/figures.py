"""Contest figures per unit and period, for reports' dashboards (issue #18, point 4):
`contests.selectors.unit_figures(unit, period)` for one unit, `school_figures(periods=…)` for every school at once
(what reports' recompute stores in its snapshots, then adds up the tree).

Counted where the participant's school lies in the unit's subtree, by the moment each row was made within the
period (its first to its last day, local time): registrations (and the people in them: a team counts its
members), products handed in (at least one version), and awards of rounds whose results are out (never a
prize before its publication). Both functions read the same querysets (below), so a unit's figure is the sum of
its schools'. `unit_figures`: four queries whatever the size of the subtree; `school_figures`: four grouped
queries whatever the number of schools and periods.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from units.selectors import in_subtree_q

from .models import Award, Product, Registration, TeamMember

FIGURES = ("registrations", "participants", "products", "awards")


def _moments(period) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), zone)
    return start, end


# The definitions, once: each takes the subtree (a unit or a path, "" for all) and the moments [start, end).
def _registrations(within, start, end) -> QuerySet:
    return Registration.objects.filter(
        in_subtree_q(within, "school"), status=Registration.Status.REGISTERED, created_at__gte=start, created_at__lt=end
    )


def _members(within, start, end) -> QuerySet:
    """Members of the teams registered (a team's people count at its registration's school and moment)."""
    return TeamMember.objects.filter(
        in_subtree_q(within, "team__registration__school"),
        team__registration__status=Registration.Status.REGISTERED,
        team__registration__created_at__gte=start,
        team__registration__created_at__lt=end,
    )


def _products(within, start, end) -> QuerySet:
    return Product.objects.filter(
        in_subtree_q(within, "entry__registration__school"),
        version_count__gt=0,
        created_at__gte=start,
        created_at__lt=end,
    )


def _awards(within, start, end) -> QuerySet:
    # A round's awards count once its results are out (closed and its time come: selectors.round_view's rule).
    return Award.objects.filter(
        in_subtree_q(within, "entry__registration__school"),
        Q(round__isnull=True) | Q(round__results_publish_at__lte=timezone.now(), round__closed_at__isnull=False),
        created_at__gte=start,
        created_at__lt=end,
    )


def unit_figures(unit, period) -> dict:
    """{"registrations", "participants", "products", "awards", "awards_by_prize": {prize: n}} of `unit`'s
    subtree in `period` (a units.periods.Period, or anything with `start` and `end` dates)."""
    start, end = _moments(period)
    registrations = _registrations(unit, start, end)
    counted = registrations.aggregate(n=Count("pk"), people=Count("pk", filter=Q(user__isnull=False)))
    members = _members(unit, start, end).count()
    products = _products(unit, start, end).count()
    awards = dict(_awards(unit, start, end).values_list("prize").annotate(n=Count("pk")).order_by())
    return {
        "registrations": counted["n"],
        "participants": counted["people"] + members,
        "products": products,
        "awards": sum(awards.values()),
        "awards_by_prize": awards,
    }


def school_figures(*, periods, within="") -> dict[int, dict]:
    """{school id: {period: {"registrations", "participants", "products", "awards"}}} for every school of
    `within`'s subtree (a unit or a path; "" for the whole country) with something in one of `periods` (each
    with `start` and `end` dates, hashable: units.periods.Period). The school is the registration's (a
    team's people count at their team's school). Four grouped queries, counted per school and local day from
    the earliest period's start, whatever the number of schools and periods; each period adds up its days."""
    periods = list(periods)
    if not periods:
        return {}
    start = _moments(min(periods, key=lambda p: p.start))[0]
    end = _moments(max(periods, key=lambda p: p.end))[1]
    zone = timezone.get_current_timezone()
    result: dict[int, dict] = defaultdict(lambda: {p: dict.fromkeys(FIGURES, 0) for p in periods})

    def add(school_id: int, day, **counts: int) -> None:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        for period in periods:
            if period.start <= day <= period.end:
                figures = result[school_id][period]
                for name, n in counts.items():
                    figures[name] += n

    registrations = (
        _registrations(within, start, end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("school_id", "day")
        .annotate(n=Count("pk"), people=Count("pk", filter=Q(user__isnull=False)))
        .order_by()
    )
    for school_id, day, n, people in registrations:
        add(school_id, day, registrations=n, participants=people)
    grouped = (
        (_members, "team__registration__school_id", "team__registration__created_at", "participants"),
        (_products, "entry__registration__school_id", "created_at", "products"),
        (_awards, "entry__registration__school_id", "created_at", "awards"),
    )
    for rows, school, moment, name in grouped:
        by_day = (
            rows(within, start, end)
            .annotate(day=TruncDate(moment, tzinfo=zone))
            .values_list(school, "day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for school_id, day, n in by_day:
            add(school_id, day, **{name: n})
    return dict(result)
