"""What ends in a school's courses when a person leaves the school (issue #14).

Called by the `accounts.signals.person_left_school` receiver (registered in `apps.py`) inside the
transfer's transaction. The person's active enrolments in the courses owned within the old school are
withdrawn and their co-instructor grants (`courses.teach_course`) on those courses removed; one audit
entry at the old school lists both. Nothing they made is touched: submissions, grades, posts and the
courses they wrote stay, attributed to them. `permissions.is_instructor` / `is_learner` already refuse
what is left behind by any other path; this keeps the rows honest too.
"""

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user, remove_perm

from units.models import Unit
from units.permissions import forget_grants
from units.selectors import in_subtree_q
from units.services import audit_log

from ..models import Course, Enrolment
from ..permissions import TEACH_PERM


@transaction.atomic
def school_departure_apply(*, actor, person, from_school: Unit, to_school: Unit | None = None) -> dict[str, list[str]]:
    """End `person`'s enrolments and co-instructor grants in the courses owned within `from_school`.
    Returns {"enrolments": [titles], "co_instructor": [titles]}; audited once when anything ended."""
    school_courses = Course.objects.filter(in_subtree_q(from_school))
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(user=person, withdrawn_at__isnull=True, course__in=school_courses.values("pk"))
        .select_related("course")
        .order_by("course_id")
    )
    if enrolments:
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(withdrawn_at=timezone.now())
    granted = list(
        get_objects_for_user(
            person,
            TEACH_PERM,
            klass=school_courses.exclude(author=person),
            accept_global_perms=False,
            with_superuser=False,
        ).order_by("pk")
    )
    if granted:
        remove_perm(TEACH_PERM, person, Course.objects.filter(pk__in=[c.pk for c in granted]))
    ended = {
        "enrolments": [e.course.title for e in enrolments],
        "co_instructor": [c.title for c in granted],
    }
    # Forget what this copy of the person cached about those courses (permissions caches on the user).
    for name in ("_course_enrolment_cache", "_course_teach_cache"):
        person.__dict__.pop(name, None)
    forget_grants(person)
    if enrolments or granted:
        audit_log(
            actor=actor,
            action="course.departure",
            unit=from_school,
            target=person,
            before=ended,
            after={"school": to_school.name if to_school is not None else None},
        )
    return ended


def person_left_school_receiver(sender, *, actor, person, from_school, to_school=None, **kwargs) -> None:
    school_departure_apply(actor=actor, person=person, from_school=from_school, to_school=to_school)
