"""Reads for finding and following courses: the catalogue (filters and accent-free title search), "my
courses", the course page's sections and progress, and the instructors' progress table. Each costs a
fixed number of queries however many courses, sections or learners there are."""

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from truonghoc import sql
from truonghoc.softdelete import alive_q
from truonghoc.text import fold
from units.models import Unit
from units.permissions import belongs_where_q
from units.selectors import in_subtree_q

from ..models import Course, EnrolledUnit, Enrolment, LearningGroup, Section
from ..permissions import TEACH_PERM, ancestor_paths, courses_scope_q

PER_PAGE = 20
PROGRESS_PER_PAGE = 50

# Every letter a folded Vietnamese letter stands for, so "toan" finds "Toán" without a folded column:
# each query letter becomes a character class that both SQLite's REGEXP and PostgreSQL's `~` understand.
_VARIANTS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "d": "dđ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
}
_WORD = re.compile(r"\S+")


def accent_free_pattern(word: str) -> str:
    """A case- and accent-insensitive regular expression matching `word` as typed with or without accents."""
    parts = []
    for ch in fold(word):
        if ch in _VARIANTS:
            parts.append(f"[{_VARIANTS[ch]}{_VARIANTS[ch].upper()}]")
        elif ch.isalpha():
            parts.append(f"[{ch}{ch.upper()}]")
        elif ch.isdigit():
            parts.append(ch)
        else:
            parts.append("\\" + ch)
    return "".join(parts)


def title_search_q(query: str) -> Q:
    """Every word of the query, in any order, somewhere in the title."""
    q = Q()
    for word in _WORD.findall(query or "")[:8]:
        if fold(word):
            q &= Q(title__regex=accent_free_pattern(word[:50]))
    return q


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    kind: str = ""
    subject: str = ""
    grade: int | None = None
    unit: Unit | None = None


def catalogue_base(*, user) -> QuerySet[Course]:
    """Published courses the user may see."""
    return Course.objects.alive().filter(courses_scope_q(user), status=Course.Status.PUBLISHED)


def catalogue(*, user, filters: CatalogueFilters) -> QuerySet[Course]:
    courses = catalogue_base(user=user)
    if filters.q:
        courses = courses.filter(title_search_q(filters.q))
    if filters.kind:
        courses = courses.filter(kind=filters.kind)
    if filters.subject:
        courses = courses.filter(subject__iexact=filters.subject)
    if filters.grade:
        courses = courses.filter(grade=filters.grade)
    if filters.unit is not None:
        courses = courses.filter(in_subtree_q(filters.unit))
    mine = Enrolment.objects.filter(course=OuterRef("pk"), user=user, withdrawn_at__isnull=True)
    return (
        courses.select_related("unit", "author", "audience_unit", "audience_cluster")
        .annotate(is_enrolled=Exists(mine))
        .order_by("-published_at", "-id")
    )


def catalogue_subjects(*, user) -> list[str]:
    """The subjects of the courses the user may see, for the filter."""
    rows = catalogue_base(user=user).exclude(subject="").values_list("subject", flat=True).distinct()
    return sorted(set(rows.order_by("subject")[:300]), key=fold)


def catalogue_units(*, user) -> list[Unit]:
    """The units above the user (their school, Office, Department, the Ministry) to filter by who offers."""
    units = Unit.objects.filter(path__in=ancestor_paths(user)).exclude(kind__in=(Unit.Kind.GROUP, Unit.Kind.CLASS))
    return list(units.order_by("depth", "name"))


def _live_section_count(course_ref: str = "pk"):
    counted = (
        Section.objects.alive().filter(course=OuterRef(course_ref)).values("course").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted), 0)


def my_enrolments(*, user) -> QuerySet[Enrolment]:
    """The courses the user studies (active enrolments, newest first) with the number of live sections."""
    return (
        Enrolment.objects.filter(
            alive_q("course__"),
            user=user,
            withdrawn_at__isnull=True,
            course__status__in=(Course.Status.PUBLISHED, Course.Status.CLOSED),
        )
        .select_related("course__unit", "group")
        .annotate(total=_live_section_count("course"))
        .order_by("-enrolled_at", "-id")
    )


def my_teaching(*, user) -> QuerySet[Course]:
    """The courses the user wrote or co-teaches where they still belong (`permissions.is_instructor`),
    removed ones excepted (they are in the trash)."""
    if not getattr(user, "is_authenticated", False):
        return Course.objects.none()
    taught = get_objects_for_user(user, TEACH_PERM, klass=Course, accept_global_perms=False, with_superuser=False)
    learners = Enrolment.objects.filter(course=OuterRef("pk"), withdrawn_at__isnull=True).values("course")
    return (
        Course.objects.alive()
        .filter(Q(author=user) | Q(pk__in=taught.values("pk")), belongs_where_q(user))
        .select_related("unit")
        .annotate(learners=Coalesce(Subquery(learners.annotate(n=Count("pk")).values("n")), 0))
        .order_by("-created_at", "-id")
    )


# --- the course page -------------------------------------------------------------------------


def course_sections(*, course: Course) -> list[Section]:
    return list(Section.objects.alive().filter(course=course).order_by("position", "id"))


# Plain SQL (truonghoc.sql): read on every view of a course page; tests/truonghoc/test_sql_twins.py holds
# it to the ORM's answer. (SQLite gives the times as text: they only key the cache and are compared for change.)
_SECTION_STAMPS_SQL = """
SELECT id, updated_at FROM courses_section WHERE course_id = %s AND deleted_at IS NULL ORDER BY position, id
"""
_DONE_IDS_SQL = "SELECT section_id FROM courses_sectionprogress WHERE enrolment_id = %s"


def course_section_stamps(*, course: Course) -> tuple[tuple[int, object], ...]:
    """(id, last change) of the course's live sections in their order: what the course page's cached
    section cards are keyed by (a section written, moved, removed or restored changes it), read without
    building a model per section."""
    return tuple(sql.rows(_SECTION_STAMPS_SQL, [course.pk]))


def sections_done_ids(*, enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return {section_id for (section_id,) in sql.rows(_DONE_IDS_SQL, [enrolment.pk])}


def course_instructor_names(*, course: Course) -> list[str]:
    """The author first, then the co-instructors, by name (one query for the co-instructors)."""
    # The grants read directly (names only, no user models): guardian's get_users_with_perms builds a
    # much larger query for the same rows.
    others = (
        UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Course),
            object_pk=str(course.pk),
            permission__codename="teach_course",
        )
        .exclude(user_id=course.author_id)
        .order_by("user__name_sort", "user_id")
        .values_list("user__full_name", flat=True)
    )
    return ([course.author.full_name] if course.author_id else []) + list(others)


# --- progress of everyone --------------------------------------------------------------------


def course_progress(*, course: Course) -> QuerySet[Enrolment]:
    """Every enrolment of the course (withdrawn ones too, marked) with its last activity: the last section
    marked done, or the registration."""
    return (
        Enrolment.objects.filter(course=course)
        .select_related("user", "group", "via_unit")
        .annotate(last_done=Max("progress__done_at"))
        .annotate(last_activity=Coalesce("last_done", "enrolled_at"))
        .order_by(F("withdrawn_at").asc(nulls_first=True), "user__name_sort", "pk")
    )


def enrolled_units(*, course: Course) -> list[EnrolledUnit]:
    """The classes and groups the course is given to, each with `active`: how many people are enrolled
    through it now."""
    active = Enrolment.objects.filter(
        course_id=OuterRef("course_id"), via_unit_id=OuterRef("unit_id"), withdrawn_at__isnull=True
    )
    return list(
        EnrolledUnit.objects.filter(course=course)
        .select_related("unit")
        .annotate(
            active=Coalesce(Subquery(active.order_by().values("via_unit_id").annotate(n=Count("pk")).values("n")), 0)
        )
        .order_by("unit__name", "pk")
    )


def live_section_count(*, course: Course) -> int:
    return Section.objects.alive().filter(course=course).count()


# --- learning groups -------------------------------------------------------------------------


def course_groups(*, course: Course) -> QuerySet[LearningGroup]:
    members = Enrolment.objects.filter(group=OuterRef("pk"), withdrawn_at__isnull=True).values("group")
    return (
        LearningGroup.objects.filter(course=course)
        .select_related("leader", "unit", "cluster")
        .annotate(members=Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")), 0))
        .order_by("name", "pk")
    )


def group_members(*, group: LearningGroup) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(group=group)
        .select_related("user")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "user__name_sort", "pk")
    )
