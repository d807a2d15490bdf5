"""Background work of the grade book: recomputing derived results for a whole Office, Department or
province, school by school (DESIGN §6–7): each school is read, computed and upserted in its own
transaction, so memory stays bounded by one school and a retry redoes only idempotent upserts."""

from celery import shared_task

from units.models import Unit

from .services import results_recompute


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def recompute_results(unit_id: int, school_year: str) -> int:
    """Recompute the results of every school at or below `unit_id` for `school_year`; returns students."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return 0
    school_ids = Unit.objects.schools_under(unit).values_list("pk", flat=True)
    total = 0
    for school in Unit.objects.filter(pk__in=list(school_ids)).order_by("pk"):
        total += results_recompute(school=school, school_year=school_year)
    return total
