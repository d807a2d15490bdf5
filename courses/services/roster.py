"""A course given to a whole class or professional group follows its membership, as Moodle's cohort sync
and Google Classroom's class roster do: whoever joins the unit later is enrolled; whoever leaves it (moved
to another class, transferred, account closed) has the enrolment ended, never deleted, so their
submissions, posts and progress stay; and the same row comes back to life if they return.

Only enrolments that came with a unit (`Enrolment.via_unit`) are managed. People registered on their own,
with a learning group or by an instructor are never touched, nor is anyone who withdrew on their own. A
course that is removed, closed or over is left alone: its roll is history by then.

Every change of membership reaches `roster_sync` through `units.services.membership_changed` (the
listener is registered in `CoursesConfig.ready`). A sync costs a fixed handful of queries whatever the
number of people, and running it twice changes nothing."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from truonghoc.softdelete import alive_q
from units.models import RoleAssignment, Unit
from units.permissions import CLASS_AND_GROUP_MEMBER_ROLES

from ..models import Course, EnrolledUnit, Enrolment

BATCH = 1000


@dataclass
class RosterChanges:
    added: int = 0  # new enrolments
    returned: int = 0  # ended ones made active again (the person came back)
    ended: int = 0  # the person left every unit the course was given to
    moved: int = 0  # still in, now through another of the course's units
    joined: Counter = field(default_factory=Counter)  # unit id → added + returned through it
    members: Counter = field(default_factory=Counter)  # unit id → people the course reaches through it


def live_course_q(prefix: str = "course__") -> Q:
    """Courses whose roll still follows membership: not removed, not closed, not over."""
    return (
        alive_q(prefix)
        & ~Q(**{f"{prefix}status": Course.Status.CLOSED})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": timezone.localdate()}))
    )


def _source(kind: str) -> str:
    return Enrolment.Source.CLASS if kind == Unit.Kind.CLASS else Enrolment.Source.PROFESSIONAL_GROUP


@transaction.atomic
def roster_sync(
    *,
    course_ids: Iterable[int] | None = None,
    unit_ids: Iterable[int] | None = None,
    user_ids: Iterable[int] | None = None,
) -> RosterChanges:
    """Brings the class and group enrolments in step with membership: of the given courses, of the
    courses given to the given units, or of the given people (in every live course). Idempotent."""
    changes = RosterChanges()
    live = live_course_q()
    links = EnrolledUnit.objects.filter(live)
    enrolments = Enrolment.objects.filter(live)
    # Who a whole class or professional group brings in.
    members = RoleAssignment.objects.filter(role__in=sorted(CLASS_AND_GROUP_MEMBER_ROLES), user__is_active=True)
    if course_ids is not None:
        course_ids = list(course_ids)
        links = links.filter(course_id__in=course_ids)
        enrolments = enrolments.filter(course_id__in=course_ids)
    if unit_ids is not None:
        # A bulk load may name thousands of units: look them up in slices, then work on their courses.
        unit_ids = list(unit_ids)
        linked = set()
        for start in range(0, len(unit_ids), BATCH):
            linked.update(
                EnrolledUnit.objects.filter(unit_id__in=unit_ids[start : start + BATCH]).values_list(
                    "course_id", flat=True
                )
            )
        if not linked:
            return changes  # nothing is given to these units: no enrolment can follow them
        links = links.filter(course_id__in=linked)
        enrolments = enrolments.filter(course_id__in=linked)
    if user_ids is not None:
        user_ids = list(user_ids)
        # The people's own units are enough: a course they are in through no unit of theirs lets them go.
        links = links.filter(unit__role_assignments__user_id__in=user_ids).distinct()
        enrolments = enrolments.filter(user_id__in=user_ids)
        members = members.filter(user_id__in=user_ids)

    link_rows = list(
        links.order_by("added_at", "pk").values_list(
            "course_id", "unit_id", "unit__kind", "added_by_id", "course__author_id"
        )
    )
    by_unit: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
    authors = {}
    for course_id, unit_id, kind, added_by, author_id in link_rows:
        by_unit[unit_id].append((course_id, kind, added_by))
        authors[course_id] = author_id

    # (course, person) → the units they are reached through, in the order the units were given.
    wanted: dict[tuple[int, int], list[tuple[int, str, int | None]]] = defaultdict(list)
    if by_unit:
        for unit_id, user_id in members.filter(unit_id__in=list(by_unit)).values_list("unit_id", "user_id").distinct():
            for course_id, kind, added_by in by_unit[unit_id]:
                if user_id != authors.get(course_id):
                    wanted[(course_id, user_id)].append((unit_id, kind, added_by))
                    changes.members[unit_id] += 1

    existing = list(enrolments.values_list("pk", "course_id", "user_id", "via_unit_id", "withdrawn_at"))
    seen = set()
    updates, ended = [], []
    for pk, course_id, user_id, via_unit_id, withdrawn_at in existing:
        seen.add((course_id, user_id))
        if via_unit_id is None:
            continue  # came another way, or withdrew on their own: not ours to change
        reach = wanted.get((course_id, user_id))
        if not reach:
            if withdrawn_at is None:
                ended.append(pk)
            continue
        unit_id, kind, _added_by = next((r for r in reach if r[0] == via_unit_id), reach[0])
        if withdrawn_at is None and unit_id == via_unit_id:
            continue
        updates.append(Enrolment(pk=pk, via_unit_id=unit_id, source=_source(kind), withdrawn_at=None))
        if withdrawn_at is None:
            changes.moved += 1
        else:
            changes.returned += 1
            changes.joined[unit_id] += 1

    now = timezone.now()
    new = []
    for (course_id, user_id), reach in wanted.items():
        if (course_id, user_id) in seen:
            continue
        unit_id, kind, added_by = reach[0]
        new.append(
            Enrolment(
                course_id=course_id,
                user_id=user_id,
                source=_source(kind),
                via_unit_id=unit_id,
                enrolled_by_id=added_by,
                enrolled_at=now,
            )
        )
        changes.joined[unit_id] += 1
    Enrolment.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    changes.added = len(new)
    Enrolment.objects.bulk_update(updates, ["via_unit", "source", "withdrawn_at"], batch_size=BATCH)
    for start in range(0, len(ended), BATCH):
        Enrolment.objects.filter(pk__in=ended[start : start + BATCH]).update(withdrawn_at=now)
    changes.ended = len(ended)
    return changes


def _follow_merges(unit_ids: set[int]) -> None:
    """A class or group merged into another hands its courses over to the one it joined."""
    merged = list(
        EnrolledUnit.objects.filter(unit_id__in=unit_ids, unit__merged_into__isnull=False).values_list(
            "pk", "course_id", "unit_id", "unit__merged_into_id", "added_by_id"
        )
    )
    if not merged:
        return
    EnrolledUnit.objects.bulk_create(
        [EnrolledUnit(course_id=c, unit_id=into, added_by_id=by) for _pk, c, _unit, into, by in merged],
        ignore_conflicts=True,
    )
    for _pk, course_id, unit_id, into, _by in merged:
        Enrolment.objects.filter(course_id=course_id, via_unit_id=unit_id).update(via_unit_id=into)
    EnrolledUnit.objects.filter(pk__in=[row[0] for row in merged]).delete()


def membership_listener(*, user_ids: set[int] | None, unit_ids: set[int] | None) -> None:
    """Registered with units.services.membership_changed."""
    if unit_ids:
        _follow_merges(unit_ids)
        roster_sync(unit_ids=unit_ids)
    if user_ids:
        roster_sync(user_ids=user_ids)
