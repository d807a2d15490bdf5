"""Who may see, teach, enrol in and oversee a course. Scope rules come from units.permissions.

- Instructors: the course's author and its co-instructors (`courses.teach_course`, django-guardian).
  Only they change a course, its sections, assignments and sessions, and grade.
- Overseers: those who see a unit's reports (school admins, principals, Office/Department/Ministry
  staff) see every course of their subtree, drafts and removed ones included, but do not edit it.
  Those who manage the owning unit (its school's managers, the Office above…) restore removed content.
- Learners: a published or closed course is seen by the people of its audience (a unit's subtree, or the
  schools of a cluster) and by those enrolled; they enrol while it is published and not over.
- Where the course lives (issue #14): authorship and a co-instructor's grant count only while the person
  holds a current role in the owning unit's school (or, for an Office's or Department's course, in that
  unit) or above it (`units.permissions.belongs_where`); an enrolment counts while the person still
  belongs there or to the course's audience. A transferred author keeps reading the course they wrote
  (`wrote_course`: its sections and files), not its learners, their work, grades or forums.
Out-of-scope courses look missing (404).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from truonghoc import sql
from truonghoc.softdelete import alive_q
from units.models import Cluster, Role, Unit
from units.permissions import (
    STAFF_ROLES,
    TEACHING_ROLES,
    WRITER_ROLES,
    Action,
    belongs_where,
    belongs_where_q,
    can,
    holds_grant,
    holds_role_at,
    holds_role_within,
    role_ancestor_paths,
    scope,
)

from .models import Assignment, Course, Enrolment, GroupTask, Product, Submission, SubmissionFile

TEACH_PERM = "courses.teach_course"


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _cache(user, name: str) -> dict:
    return user.__dict__.setdefault(name, {})


def ancestor_paths(user) -> set[str]:
    """Paths of every unit at or above the units where the user holds a role: a course open to any of
    them is open to the user. Cached on the user object."""
    return role_ancestor_paths(user)


def school_ids(user) -> set[int]:
    """The schools the user belongs to (for cluster audiences). Cached on the user object."""
    cached = user.__dict__.get("_course_school_ids")
    if cached is None:
        cached = set(
            Unit.objects.filter(
                path__in=ancestor_paths(user), kind__in=(Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY)
            ).values_list("pk", flat=True)
        )
        user.__dict__["_course_school_ids"] = cached
    return cached


def in_audience(user, course: Course) -> bool:
    if not _active(user):
        return False
    if course.audience_cluster_id is not None:
        cache = _cache(user, "_course_cluster_cache")
        if course.audience_cluster_id not in cache:
            cache[course.audience_cluster_id] = course.audience_cluster.schools.filter(pk__in=school_ids(user)).exists()
        return cache[course.audience_cluster_id]
    audience = course.audience_unit or course.unit
    return audience.path in ancestor_paths(user)


def wrote_course(user, course: Course) -> bool:
    """The user is the course's author, wherever they are now: enough to read what they wrote."""
    return _active(user) and course.author_id == user.pk


def lives_where(user, course: Course) -> bool:
    """The user holds a current role where the course lives (its owning unit's school or above it)."""
    return belongs_where(user, course.unit)


def is_instructor(user, course: Course) -> bool:
    """The course's author or a co-instructor (`courses.teach_course`), while they belong where the
    course lives: a teacher who moved to another school no longer teaches the old school's courses."""
    if not _active(user) or not lives_where(user, course):
        return False
    if course.author_id == user.pk:
        return True
    cache = _cache(user, "_course_teach_cache")
    if course.pk not in cache:
        cache[course.pk] = holds_grant(user, TEACH_PERM, course)
    return cache[course.pk]


def can_oversee_course(user, course: Course) -> bool:
    """See (not edit) the course and everyone's progress and grades: the units above it."""
    return _active(user) and can(user, Action.VIEW_REPORTS, course.unit)


def can_restore_course(user, course: Course) -> bool:
    """Restore removed content of the course: its own instructors, or those who manage the owning unit."""
    return _active(user) and (is_instructor(user, course) or can(user, Action.MANAGE, course.unit))


_ENROLMENT_SQL = "SELECT * FROM courses_enrolment WHERE course_id = %s AND user_id = %s AND withdrawn_at IS NULL"


def enrolment_of(user, course: Course) -> Enrolment | None:
    """The user's active enrolment in the course, cached on the user object."""
    if not _active(user):
        return None
    cache = _cache(user, "_course_enrolment_cache")
    if course.pk not in cache:
        # Plain SQL (truonghoc.sql, through raw()): every course page and course forum asks it. The learning
        # group is read when a page asks for it (a learner without a group costs nothing more).
        found = list(Enrolment.objects.raw(_ENROLMENT_SQL, [course.pk, user.pk]))
        cache[course.pk] = found[0] if found else None
    return cache[course.pk]


def is_learner(user, course: Course) -> bool:
    """An active enrolment that still counts: the learner belongs where the course lives or to its
    audience (a pupil who moved to another school no longer studies there, whatever row is left)."""
    if enrolment_of(user, course) is None:
        return False
    return lives_where(user, course) or in_audience(user, course)


def can_view_course(user, course: Course) -> bool:
    if not _active(user):
        return False
    if user.is_superuser or is_instructor(user, course) or can_oversee_course(user, course):
        return True
    if wrote_course(user, course):
        return True
    if course.is_deleted or course.status == Course.Status.DRAFT:
        return False
    return in_audience(user, course) or is_learner(user, course)


def can_follow_learners(user, course: Course) -> bool:
    """See everyone's progress, work and grades: instructors and those overseeing the course's unit."""
    return bool(
        _active(user) and (user.is_superuser or is_instructor(user, course) or can_oversee_course(user, course))
    )


def can_see_content(user, course: Course) -> bool:
    """Sections and their files: instructors, overseers, learners enrolled in a live course, and the
    course's author even after they left (what they wrote stays theirs to read)."""
    return can_follow_learners(user, course) or can_study(user, course) or wrote_course(user, course)


def can_list_learning_groups(user, course: Course) -> bool:
    """The course's learning groups (names, leaders, members): those who follow its learners, its
    learners, and its audience while it is live, to join one; not an author who left (wrote_course)."""
    if can_follow_learners(user, course) or is_learner(user, course):
        return True
    return not course.is_deleted and course.status != Course.Status.DRAFT and in_audience(user, course)


def can_edit_course(user, course: Course) -> bool:
    return is_instructor(user, course) and not course.is_deleted


def can_study(user, course: Course) -> bool:
    """Mark sections done, discuss, ask, submit: enrolled learners of a live course."""
    return not course.is_deleted and course.status != Course.Status.DRAFT and is_learner(user, course)


def can_create_course(user, unit: Unit, kind: str) -> bool:
    """A teacher or group leader in the school (topics: in the professional group itself), the school's
    managers, or the staff of an Office/Department/Ministry for training courses at their unit."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if kind == Course.Kind.TOPIC:
        if unit.kind != Unit.Kind.GROUP:
            return False
        return holds_role_at(user, unit, TEACHING_ROLES) or can(user, Action.MANAGE, unit)
    if unit.kind in (Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY, Unit.Kind.GROUP):
        # Held anywhere in the school (at it, or at one of its groups or classes).
        return holds_role_within(user, unit.school_path, WRITER_ROLES)
    if kind == Course.Kind.TRAINING and unit.kind in (Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE):
        return holds_role_at(user, unit, STAFF_ROLES)
    return False


def courses_scope_q(user):
    """Queryset filter of the courses a user may see (used by the selectors)."""
    from django.db.models import Q
    from guardian.shortcuts import get_objects_for_user

    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    live = Q(status__in=(Course.Status.PUBLISHED, Course.Status.CLOSED)) & alive_q()
    audience = Q(audience_unit__path__in=ancestor_paths(user)) | Q(
        audience_unit__isnull=True, audience_cluster__isnull=True, unit__path__in=ancestor_paths(user)
    )
    schools = school_ids(user)
    if schools:
        audience |= Q(audience_cluster__in=Cluster.objects.filter(schools__in=schools).values("pk"))
    enrolled = Q(pk__in=Enrolment.objects.filter(user=user, withdrawn_at__isnull=True).values("course_id"))
    # The author always finds what they wrote (wrote_course); a co-instructor's grant counts where they belong.
    taught = Q(author=user) | (
        Q(
            pk__in=get_objects_for_user(
                user, TEACH_PERM, klass=Course, accept_global_perms=False, with_superuser=False
            ).values("pk")
        )
        & belongs_where_q(user)
    )
    overseen = scope(user, Action.VIEW_REPORTS)
    query = (live & (audience | enrolled)) | taught
    if overseen.prefixes or overseen.exact or overseen.everything:
        query |= overseen.q("unit__")
    return query


def course_for_user_or_404(user, pk) -> Course:
    # Not deleted_by: read only for a removed course's banner. One-row reads (truonghoc.sql.instance).
    course = sql.instance(Course, pk, "unit", "audience_unit", "audience_cluster", "author")
    if course is None:
        raise Http404
    if not can_view_course(user, course):
        raise Http404
    return course


def editable_course_or_404(user, pk) -> Course:
    """A course its instructor is about to change: missing (404) out of scope, forbidden (403) to those
    who see it without teaching it."""
    course = course_for_user_or_404(user, pk)
    if not can_edit_course(user, course):
        raise PermissionDenied
    return course


# --- the forums of courses and learning groups (registered in apps.py) -------------------------


def can_view_course_forum(user, course: Course) -> bool:
    """A course's discussion and questions: its instructors, enrolled learners and overseers."""
    return (
        is_instructor(user, course)
        or can_oversee_course(user, course)
        or (not course.is_deleted and is_learner(user, course))
    )


def can_view_group_forum(user, group) -> bool:
    """A learning group's discussion: its members, the course's instructors, and overseers."""
    course = group.course
    if is_instructor(user, course) or can_oversee_course(user, course):
        return True
    if course.is_deleted or not is_learner(user, course):
        return False
    return enrolment_of(user, course).group_id == group.pk


def can_moderate_group_forum(user, group) -> bool:
    """The course's instructors, and the group's leader while still one of its learners."""
    course = group.course
    return is_instructor(user, course) or (_active(user) and group.leader_id == user.pk and is_learner(user, course))


# --- assignments and submissions (404 when out of scope) ---------------------------------------


def can_view_submission(user, submission: Submission) -> bool:
    course = submission.assignment.course
    if can_follow_learners(user, course):
        return True
    if course.is_deleted or submission.is_deleted:
        return False
    if submission.learner_id == user.pk or submission.submitted_by_id == user.pk:
        return True
    if submission.group_id and is_learner(user, course):
        return enrolment_of(user, course).group_id == submission.group_id
    return False


def assignment_for_user_or_404(user, pk) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("course__unit", "course__audience_unit", "course__audience_cluster"), pk=pk
    )
    course = assignment.course
    if not can_view_course(user, course):
        raise Http404
    if assignment.is_deleted and not can_follow_learners(user, course):
        raise Http404
    return assignment


def followed_assignment_or_404(user, pk) -> Assignment:
    """An assignment whose learners' work this person follows (its grading list, its export): missing
    (404) out of scope, forbidden (403) to those who see it without following the learners."""
    assignment = assignment_for_user_or_404(user, pk)
    if not can_follow_learners(user, assignment.course):
        raise PermissionDenied
    return assignment


def submission_for_user_or_404(user, pk) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related(
            "assignment__course__unit", "learner", "group", "submitted_by", "graded_by", "deleted_by"
        ),
        pk=pk,
    )
    if not can_view_submission(user, submission):
        raise Http404
    return submission


def submission_file_for_user_or_404(user, pk) -> SubmissionFile:
    row = get_object_or_404(
        SubmissionFile.objects.select_related("submission__assignment__course__unit", "submission__group"), pk=pk
    )
    if not can_view_submission(user, row.submission):
        raise Http404
    return row


# --- products handed in to a professional group ------------------------------------------------


def leads_group(user, group: Unit) -> bool:
    """The user is a leader of this professional group (a role held at the group itself)."""
    return _active(user) and holds_role_at(user, group, [Role.GROUP_LEADER])


def product_review_problem(user, product) -> str:
    """Why `user` cannot mark the product reviewed, or "" when they can: the group's leaders and the
    author of the topic it answers review colleagues' products, once."""
    if product.is_deleted:
        return _("This product has been removed.")
    if product.reviewed_at is not None:
        return _("This product was already reviewed.")
    if product.author_id == user.pk:
        return _("You cannot review your own product; the group's leader reviews it.")
    is_topic_author = product.topic_id is not None and product.topic.author_id == user.pk
    if not (leads_group(user, product.unit) or is_topic_author):
        return _("Only the leaders of %(group)s or the author of the topic review its products.") % {
            "group": product.unit.name
        }
    return ""


# --- removing and restoring course content (courses/services/trash.py) ----------------------------


def course_of(obj) -> Course | None:
    """The course the item belongs to (None for a product)."""
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, Submission):
        return obj.assignment.course
    if isinstance(obj, Product):
        return None
    return obj.course


def owning_unit(obj):
    course = course_of(obj)
    return course.unit if course is not None else obj.unit


def can_delete_content(user, obj) -> bool:
    """A course's instructors remove the course and its sections, assignments and sessions; a learner
    removes their own submission until it is graded; a product's author or the group's leader removes a
    product; and those who manage the owning unit remove any of them."""
    if not _active(user):
        return False
    unit = owning_unit(obj)
    if can(user, Action.MANAGE, unit):
        return True
    if isinstance(obj, Product):
        return obj.author_id == user.pk
    course = course_of(obj)
    if is_instructor(user, course):
        return True
    if isinstance(obj, Submission):
        return (
            obj.submitted_by_id == user.pk
            and obj.grade is None
            and not course.is_deleted
            # Not once they left: the school keeps the work of a pupil who moved away.
            and (lives_where(user, course) or in_audience(user, course))
        )
    return False


def can_restore_content(user, obj) -> bool:
    """Course content: the course's instructors or those who manage its unit (can_restore_course).
    Products: their author or the group's managers (its leader, the school's managers and above)."""
    if not _active(user):
        return False
    if isinstance(obj, Product):
        return obj.author_id == user.pk or can(user, Action.MANAGE, obj.unit)
    return can_restore_course(user, course_of(obj))


# --- tasks given to professional groups (services/group_tasks.py) ----------------------------------

# Who gives a school's groups their tasks: its principal (and its vice-principals once units names that
# role; until then a vice-principal holds the principal's role). Held at the school itself.
GROUP_TASK_ASSIGNER_ROLES = frozenset(
    {Role.PRINCIPAL, *([Role.VICE_PRINCIPAL] if hasattr(Role, "VICE_PRINCIPAL") else [])}
)


def _path(unit_or_path) -> str:
    return unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path


def can_assign_group_tasks(user, school) -> bool:
    """The school's principal gives, reopens and removes its groups' tasks (`school`: a Unit or a path)."""
    return _active(user) and bool(school) and holds_role_at(user, _path(school), GROUP_TASK_ASSIGNER_ROLES)


def can_follow_group_tasks(user, school) -> bool:
    """The principal, and those who see the school's reports (its admin, the Office above…), follow the
    progress of its groups' tasks; only the principal changes them. No query beyond the cached roles."""
    if can_assign_group_tasks(user, school):
        return True
    return _active(user) and bool(school) and scope(user, Action.VIEW_REPORTS).contains_path(_path(school))


def is_task_group_member(user, group: Unit) -> bool:
    """A teacher or leader of the group (a role held at the group itself)."""
    return _active(user) and holds_role_at(user, group, TEACHING_ROLES)


def can_view_group_task(user, task: GroupTask) -> bool:
    """The group's members (its leader included) see its tasks; the school's principal and overseers see
    them all. A removed task is seen by those who follow the school only."""
    if task.is_deleted:
        return can_follow_group_tasks(user, task.group.school_path)
    return is_task_group_member(user, task.group) or can_follow_group_tasks(user, task.group.school_path)


def group_task_lead_problem(user, task: GroupTask) -> str:
    """Why `user` cannot assign members to the task or mark it done, or "" when they can: the group's
    leader, while the task is open."""
    if task.is_deleted:
        return _("This task has been removed.")
    if not leads_group(user, task.group):
        return _("Only the leader of %(group)s assigns this task and marks it done.") % {"group": task.group.name}
    if task.is_done:
        return _("This task is already done; the principal can reopen it.")
    return ""


def group_task_manage_problem(user, task: GroupTask) -> str:
    """Why `user` cannot reopen or remove the task, or "" when they can: the school's principal."""
    if task.is_deleted:
        return _("This task has been removed.")
    if not can_assign_group_tasks(user, task.group.school_path):
        return _("Only the principal of the school reopens or removes its groups' tasks.")
    return ""


def group_task_for_user_or_404(user, pk) -> GroupTask:
    """Fetch a task and check the user may see it; out-of-scope tasks look missing."""
    task = get_object_or_404(
        GroupTask.objects.select_related(
            "group", "created_by", "done_by", "deleted_by", "result_course", "result_product"
        ),
        pk=pk,
    )
    if not can_view_group_task(user, task):
        raise Http404
    return task
