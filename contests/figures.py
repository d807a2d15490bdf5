"""Contest figures per unit and period, for reports' dashboards (issue #18, point 4):
`contests.selectors.unit_figures(unit, period)`.

Counted where the participant's school lies in the unit's subtree, by the moment each row was made within the
period (its first to its last day, local time): registrations (and the people in them: a team counts its
members), products handed in (at least one version), and awards of rounds whose results are out (never a
prize before its publication). Four queries whatever the size of the subtree.
"""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from units.selectors import in_subtree_q

from .models import Award, Product, Registration, TeamMember


def _moments(period) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), zone)
    return start, end


def unit_figures(unit, period) -> dict:
    """{"registrations", "participants", "products", "awards", "awards_by_prize": {prize: n}} of `unit`'s
    subtree in `period` (a units.periods.Period, or anything with `start` and `end` dates)."""
    start, end = _moments(period)
    registrations = Registration.objects.filter(
        in_subtree_q(unit, "school"), status=Registration.Status.REGISTERED, created_at__gte=start, created_at__lt=end
    )
    counted = registrations.aggregate(n=Count("pk"), people=Count("pk", filter=Q(user__isnull=False)))
    members = TeamMember.objects.filter(team__registration__in=registrations).count()
    products = Product.objects.filter(
        in_subtree_q(unit, "entry__registration__school"),
        version_count__gt=0,
        created_at__gte=start,
        created_at__lt=end,
    ).count()
    now = timezone.now()
    awards = dict(
        Award.objects.filter(
            in_subtree_q(unit, "entry__registration__school"),
            Q(round__isnull=True) | Q(round__results_publish_at__lte=now, round__closed_at__isnull=False),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values_list("prize")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "registrations": counted["n"],
        "participants": counted["people"] + members,
        "products": products,
        "awards": sum(awards.values()),
        "awards_by_prize": awards,
    }
