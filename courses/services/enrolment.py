"""Registering for courses: on one's own, as a learning group, or a whole class or professional group
enrolled by an instructor (the enrolment then follows the unit's membership: roster.py); withdrawing;
learning-group leaders; and the sections a learner has done.
Every refusal raises ValidationError with a message for the person and changes nothing."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.profile import prime_required_fields, profile_is_complete, profile_refusal
from forums.services import forum_for_owner
from truonghoc.formatting import date_text
from truonghoc.text import nfc
from units.models import Cluster, Role, Unit
from units.permissions import SCHOOL_LEADER_ROLES, units_where
from units.selectors import in_subtree_q
from units.services import audit_log

from ..models import Course, EnrolledUnit, Enrolment, LearningGroup, Section, SectionProgress
from ..permissions import can_study, enrolment_of, in_audience, is_instructor
from .roster import roster_sync


def _forget_cached_enrolment(user, course: Course) -> None:
    user.__dict__.get("_course_enrolment_cache", {}).pop(course.pk, None)


def check_course_open(course: Course) -> None:
    """Raises unless people may register for the course now."""
    if course.is_deleted:
        raise ValidationError(str(course.words.removed))
    words = course.words  # "course", "lesson" or "topic": courses/wording.py
    if course.status == Course.Status.DRAFT:
        raise ValidationError(str(words.not_published))
    if course.status == Course.Status.CLOSED:
        raise ValidationError(str(words.closed))
    if course.ends_on and course.ends_on < timezone.localdate():
        raise ValidationError(str(words.ended) % {"date": date_text(course.ends_on)})


def _check_profile(user) -> None:
    if refusal := profile_refusal(user, _("Please complete your profile before registering (%(missing)s).")):
        raise ValidationError(refusal, code="profile")


def audience_units_q(course: Course, prefix: str = ""):
    """A filter for units (or rows with a unit FK, prefix="unit__") inside the course's audience."""
    if course.audience_cluster_id:
        query = Q(pk__in=[])
        for path in course.audience_cluster.schools.values_list("path", flat=True):
            query |= in_subtree_q(path, prefix.removesuffix("__"))
        return query
    audience = course.audience_unit or course.unit
    return in_subtree_q(audience, prefix.removesuffix("__"))


# --- on one's own ----------------------------------------------------------------------------


@transaction.atomic
def enrolment_register(*, actor, course: Course) -> Enrolment:
    """The actor registers for the course; registering again after withdrawing reactivates the same row
    (and the sections already done)."""
    check_course_open(course)
    if is_instructor(actor, course):
        raise ValidationError(str(course.words.teaches_it))
    if not in_audience(actor, course):
        raise ValidationError(str(course.words.not_open))
    _check_profile(actor)
    existing = Enrolment.objects.select_for_update(of=("self",)).filter(course=course, user=actor).first()
    if existing is not None and existing.withdrawn_at is None:
        raise ValidationError(str(course.words.already_registered))
    if existing is not None:
        existing.withdrawn_at = None
        existing.enrolled_at = timezone.now()
        existing.via_unit = None  # on their own now: leaving the class later does not end it
        existing.save(update_fields=["withdrawn_at", "enrolled_at", "via_unit"])
        enrolment = existing
    else:
        enrolment = Enrolment(course=course, user=actor, source=Enrolment.Source.SELF, enrolled_by=actor)
        enrolment.full_clean(validate_constraints=False)
        try:
            # Two clicks at once: the row lock above cannot lock a row that does not exist yet, so the
            # database's one-enrolment rule decides, and the second click gets the same message.
            with transaction.atomic():
                enrolment.save()
        except IntegrityError:
            raise ValidationError(str(course.words.already_registered)) from None
    _forget_cached_enrolment(actor, course)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor, course: Course) -> Enrolment:
    """The learner leaves the course; what they did is kept, should they come back."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(course=course, user=actor, withdrawn_at__isnull=True)
        .first()
    )
    if enrolment is None:
        raise ValidationError(str(course.words.not_registered))
    enrolment.withdrawn_at = timezone.now()
    # Their choice stands: the class roster does not enrol them again while they stay in the class.
    enrolment.via_unit = None
    enrolment.save(update_fields=["withdrawn_at", "via_unit"])
    _forget_cached_enrolment(actor, course)
    return enrolment


# --- whole classes and professional groups ---------------------------------------------------


def enrolment_units(course: Course):
    """Classes and professional groups inside the course's audience that an instructor may enrol whole."""
    return Unit.objects.filter(
        audience_units_q(course), kind__in=(Unit.Kind.CLASS, Unit.Kind.GROUP), is_active=True
    ).order_by("path")


@transaction.atomic
def enrolment_add_unit(*, actor, course: Course, unit: Unit) -> tuple[int, int]:
    """Gives the course to a class or professional group: every active student and teacher of it is
    enrolled, in one bulk insert, and from then on the enrolment follows the unit's membership (people
    who join later are enrolled, those who leave are let go: roster.py). Returns (added, already there).
    People already registered, or who withdrew, are left as they are, so running it twice changes
    nothing."""
    if not is_instructor(actor, course):
        raise ValidationError(str(course.words.only_instructors_give))
    if course.is_deleted or course.status == Course.Status.CLOSED:
        raise ValidationError(str(course.words.closed))
    if course.ends_on and course.ends_on < timezone.localdate():
        raise ValidationError(str(course.words.ended) % {"date": date_text(course.ends_on)})
    if unit.kind not in (Unit.Kind.CLASS, Unit.Kind.GROUP) or not enrolment_units(course).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": str(course.words.choose_unit)})
    EnrolledUnit.objects.bulk_create([EnrolledUnit(course=course, unit=unit, added_by=actor)], ignore_conflicts=True)
    changes = roster_sync(course_ids=[course.pk])
    added = changes.joined[unit.pk]
    audit_log(
        actor=actor,
        action="course.enrol_unit",
        unit=course.unit,
        target=course,
        after={"unit": unit.pk, "added": added},
    )
    return added, changes.members[unit.pk] - added


@transaction.atomic
def enrolment_remove_unit(*, actor, course: Course, unit: Unit) -> int:
    """The course is no longer given to the class or group: the enrolments that came with it end (their
    work is kept), unless the person is also in another unit the course is given to. People who came
    another way stay. Returns how many enrolments ended."""
    if not is_instructor(actor, course):
        raise ValidationError(str(course.words.only_instructors_take_back))
    deleted, _details = EnrolledUnit.objects.filter(course=course, unit=unit).delete()
    if not deleted:
        raise ValidationError(str(course.words.not_given) % {"unit": unit.name})
    changes = roster_sync(course_ids=[course.pk])
    audit_log(
        actor=actor,
        action="course.unenrol_unit",
        unit=course.unit,
        target=course,
        before={"unit": unit.pk},
        after={"ended": changes.ended},
    )
    return changes.ended


# --- learning groups -------------------------------------------------------------------------


def group_scopes(*, actor, course: Course) -> list[tuple[str, str, Unit | None, Cluster | None]]:
    """The schools and clusters the actor may register a learning group from: (key, label, school,
    cluster). Instructors may register one from any school or cluster of the audience."""
    if not getattr(actor, "is_active", False):
        return []
    schools = Unit.objects.filter(kind__in=(Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY), is_active=True).order_by("name")
    if is_instructor(actor, course):
        schools = schools.filter(audience_units_q(course))[:200]
    else:
        # A learning group may be registered by the school's group leaders and managers (and instructors).
        paths = {held.school_path for held in units_where(actor, SCHOOL_LEADER_ROLES)}
        schools = schools.filter(path__in=paths).filter(audience_units_q(course))
    schools = list(schools)
    scopes = [(f"u{s.pk}", s.name, s, None) for s in schools]
    clusters = Cluster.objects.filter(schools__in=[s.pk for s in schools]).distinct().order_by("name")
    if course.audience_cluster_id:
        clusters = clusters.filter(pk=course.audience_cluster_id)
    for cluster in clusters:
        scopes.append((f"c{cluster.pk}", _("School cluster: %(name)s") % {"name": cluster.name}, None, cluster))
    return scopes


def group_candidates(*, course: Course, school: Unit | None = None, cluster: Cluster | None = None):
    """Active people of a school or of a cluster's schools who are in the course's audience (by their role
    there): the ones a learning group may be made of."""
    User = get_user_model()
    if school is not None:
        where = in_subtree_q(school, "role_assignments__unit")
    else:
        where = Q(pk__in=[])
        for path in cluster.schools.values_list("path", flat=True):
            where |= in_subtree_q(path, "role_assignments__unit")
    wanted = (Role.STUDENT,) if course.kind == Course.Kind.LESSON else (Role.TEACHER, Role.GROUP_LEADER, Role.PRINCIPAL)
    audience = audience_units_q(course, prefix="role_assignments__unit__")
    return (
        User.objects.filter(where, audience, is_active=True, role_assignments__role__in=wanted)
        .distinct()
        .order_by("name_sort", "pk")
    )


def can_register_group(actor, course: Course) -> bool:
    return bool(group_scopes(actor=actor, course=course))


@transaction.atomic
def learning_group_register(
    *,
    actor,
    course: Course,
    name: str,
    scope: str,
    leader,
    members: Iterable,
) -> LearningGroup:
    """A nhóm học tập of one school or cluster: every member is enrolled with the group (people registered
    on their own join it), and the group gets its discussion forum."""
    check_course_open(course)
    scopes = {key: (school, cluster) for key, _label, school, cluster in group_scopes(actor=actor, course=course)}
    if not scopes:
        raise ValidationError(str(course.words.group_register_refused))
    if not is_instructor(actor, course):
        _check_profile(actor)
    if scope not in scopes:
        raise ValidationError({"scope": _("Choose the school or cluster the group comes from.")})
    school, cluster = scopes[scope]
    name = nfc(name)[:150]
    if not name:
        raise ValidationError({"name": _("Give the group a name.")})
    if LearningGroup.objects.filter(course=course, name__iexact=name).exists():
        raise ValidationError({"name": str(course.words.group_name_taken) % {"name": name}})
    members = {m.pk: m for m in members}
    if leader is None:
        raise ValidationError({"leader": _("Name the group's leader.")})
    members.setdefault(leader.pk, leader)
    allowed = set(
        group_candidates(course=course, school=school, cluster=cluster)
        .filter(pk__in=list(members))
        .values_list("pk", flat=True)
    )
    outsiders = [m.full_name for pk, m in members.items() if pk not in allowed]
    if outsiders:
        raise ValidationError(
            {"members": str(course.words.group_not_in_audience) % {"names": ", ".join(sorted(outsiders))}}
        )
    prime_required_fields(members.values())  # each member's profile rule, for all of them in two queries
    incomplete = [m.full_name for m in members.values() if not profile_is_complete(m)]
    if incomplete:
        raise ValidationError(
            {
                "members": _("These people must complete their profile before they can register: %(names)s.")
                % {"names": ", ".join(sorted(incomplete))}
            }
        )
    existing = {
        e.user_id: e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .filter(course=course, user_id__in=list(members))
        .select_related("group")
    }
    in_other_group = [
        members[pk].full_name for pk, e in existing.items() if e.withdrawn_at is None and e.group_id is not None
    ]
    if in_other_group:
        raise ValidationError(
            {"members": str(course.words.group_in_another) % {"names": ", ".join(sorted(in_other_group))}}
        )
    group = LearningGroup(course=course, name=name, leader=leader, unit=school, cluster=cluster, created_by=actor)
    group.full_clean()
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise ValidationError({"name": str(course.words.group_name_taken) % {"name": name}}) from exc
    now = timezone.now()
    updated = []
    for enrolment in existing.values():
        enrolment.group = group
        enrolment.source = Enrolment.Source.GROUP
        enrolment.via_unit = None  # with the learning group now, whatever class they are in
        if enrolment.withdrawn_at is not None:
            enrolment.withdrawn_at = None
            enrolment.enrolled_at = now
        updated.append(enrolment)
    Enrolment.objects.bulk_update(updated, ["group", "source", "via_unit", "withdrawn_at", "enrolled_at"])
    Enrolment.objects.bulk_create(
        [
            Enrolment(course=course, user_id=pk, group=group, source=Enrolment.Source.GROUP, enrolled_by=actor)
            for pk in members
            if pk not in existing
        ]
    )
    forum_for_owner(owner=group, unit=course.unit, title=group.name)
    for member in [actor, *members.values()]:
        _forget_cached_enrolment(member, course)
    return group


def leader_is_missing(group: LearningGroup) -> bool:
    """The leader's account is no longer active, or they are no longer an active member of the group."""
    leader = group.leader
    if leader is None or not leader.is_active:
        return True
    return not Enrolment.objects.filter(
        course_id=group.course_id, user=leader, group=group, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def learning_group_set_leader(*, actor, group: LearningGroup, leader) -> LearningGroup:
    """An instructor names a new leader among the members; so may the members themselves once the
    leader has left (account closed, or withdrawn from the course or the group)."""
    course = group.course
    group = LearningGroup.objects.select_for_update(of=("self",)).select_related("leader").get(pk=group.pk)
    group.course = course
    if not is_instructor(actor, course):
        member = enrolment_of(actor, course)
        if member is None or member.group_id != group.pk:
            raise ValidationError(str(course.words.group_leader_refused))
        if not leader_is_missing(group):
            raise ValidationError(str(course.words.group_has_leader))
    if not Enrolment.objects.filter(
        course=course, group=group, user=leader, withdrawn_at__isnull=True, user__is_active=True
    ).exists():
        raise ValidationError({"leader": _("The leader must be an active member of the group.")})
    if group.leader_id == leader.pk:
        raise ValidationError({"leader": _("%(name)s leads the group already.") % {"name": leader.full_name}})
    before = {"leader": group.leader_id}
    group.leader = leader
    group.save(update_fields=["leader", "updated_at"])
    audit_log(
        actor=actor,
        action="course.learning_group_leader",
        unit=course.unit,
        target=group,
        before=before,
        after={"leader": leader.pk},
    )
    return group


# --- progress --------------------------------------------------------------------------------


@transaction.atomic
def section_mark_done(*, actor, section: Section) -> Enrolment:
    """Records that the learner studied the section (once; again is harmless) and keeps the enrolment's
    count and completion date in step with the course's live sections."""
    course = section.course
    if section.is_deleted:
        raise ValidationError(_("This section has been removed."))
    if not can_study(actor, course):
        raise ValidationError(str(course.words.progress_needs_enrolment))
    enrolment = Enrolment.objects.select_for_update(of=("self",)).get(pk=enrolment_of(actor, course).pk)
    SectionProgress.objects.get_or_create(enrolment=enrolment, section=section)
    live = Section.objects.alive().filter(course=course)
    done = SectionProgress.objects.filter(enrolment=enrolment, section__in=live).count()
    total = live.count()
    enrolment.sections_done = done
    if total and done >= total:
        enrolment.completed_at = enrolment.completed_at or timezone.now()
    else:
        enrolment.completed_at = None
    enrolment.save(update_fields=["sections_done", "completed_at"])
    _forget_cached_enrolment(actor, course)
    return enrolment


def progress_recount(*, course: Course) -> None:
    """Brings every enrolment's stored count and completion date back in step with the course's live
    sections, after a section is removed or restored: a removed section no longer counts as done, nor
    towards the total. Same rule as section_mark_done, in three queries whatever the number of learners."""
    live = Section.objects.alive().filter(course=course)
    total = live.count()
    done = (
        SectionProgress.objects.filter(enrolment=OuterRef("pk"), section__in=live)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enrolments = Enrolment.objects.filter(course=course)
    enrolments.update(sections_done=Coalesce(Subquery(done), 0))
    if total:
        enrolments.filter(completed_at__isnull=True, sections_done__gte=total).update(completed_at=timezone.now())
    enrolments.filter(completed_at__isnull=False, sections_done__lt=max(total, 1)).update(completed_at=None)
