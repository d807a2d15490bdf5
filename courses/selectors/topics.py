from django.db.models import Count

from units.selectors import in_subtree_q

from ..models import Course


def topic_counts_by_unit_path(*, under_path: str) -> dict[str, int]:
    """{unit path: published topics posted at that unit} below a unit, in one grouped query.

    Callers add these up per school (a topic belongs to a group, the group to its school).
    """
    rows = (
        Course.objects.alive()
        .filter(
            in_subtree_q(under_path),
            kind=Course.Kind.TOPIC,
            status=Course.Status.PUBLISHED,
        )
        .values("unit__path")
        .annotate(n=Count("id"))
    )
    return {row["unit__path"]: row["n"] for row in rows}
