"""Who may do what in the grade book. Scope comes from units (roles held where); the grade book adds its
own facts: teaching assignments (who enters which marks) and homerooms (who sets conduct).

- A subject teacher enters the marks of the classes and subjects assigned to them for that semester.
- The homeroom teacher (units' `homeroom_teacher`) sees the whole class book and sets conduct and comments.
- The principal, vice-principals and the school admin run the school's book: assignments, deadlines,
  locks; the principal (and a vice-principal) decide change requests. Nobody enters a mark for a class
  they do not teach, the admin included.
- Office, Department and Ministry staff above the school see books and progress, never write marks.
- A student sees their own marks.
"""

from units.models import Role, Unit
from units.permissions import holds_role_at, holds_role_within, role_reaches

from .models import TeachingAssignment

SCHOOL_RUNNERS = (Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN)
CHANGE_DECIDERS = (Role.PRINCIPAL, Role.VICE_PRINCIPAL)
STAFF_ABOVE = (Role.OFFICE_STAFF, Role.DEPARTMENT_STAFF, Role.MINISTRY_STAFF)


def _path(unit) -> str:
    return unit if isinstance(unit, str) else unit.path


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def can_run_gradebook(user, school: Unit | str) -> bool:
    """Set teaching assignments, deadlines and locks of `school` (a school unit or its path)."""
    return holds_role_at(user, _path(school), SCHOOL_RUNNERS) or _is_superuser(user)


def can_decide_changes(user, school: Unit | str) -> bool:
    """Approve or refuse requests to change a locked mark in `school`."""
    return holds_role_at(user, _path(school), CHANGE_DECIDERS)


def teaches(user, *, school_class: Unit, subject: str, school_year: str, semester: int) -> bool:
    """`user` is assigned `subject` in `school_class` for that semester (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return TeachingAssignment.objects.filter(
        teacher=user, school_class=school_class, subject=subject, school_year=school_year, semester=semester
    ).exists()


def can_enter_marks(user, *, school_class: Unit, subject: str, school_year: str, semester: int) -> bool:
    """Type marks into the grid of that class, subject and semester: its assigned teacher only, while they
    still teach at the school."""
    if not holds_role_within(user, school_class.school_path or "", (Role.TEACHER, Role.GROUP_LEADER, *SCHOOL_RUNNERS)):
        return False
    return teaches(user, school_class=school_class, subject=subject, school_year=school_year, semester=semester)


def is_homeroom_teacher(user, school_class: Unit) -> bool:
    return bool(getattr(user, "is_authenticated", False) and school_class.homeroom_teacher_id == user.pk)


def can_view_class_book(user, school_class: Unit) -> bool:
    """See every subject of a class's book: the school's runners, its homeroom teacher, a teacher of the
    class this year, and staff of the units above."""
    school_path = school_class.school_path or ""
    if can_run_gradebook(user, school_path) or is_homeroom_teacher(user, school_class):
        return True
    if role_reaches(user, school_path, STAFF_ABOVE):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return TeachingAssignment.objects.filter(teacher=user, school_class=school_class).exists()


def can_view_progress(user, unit: Unit) -> bool:
    """See grade-entry progress of `unit` (a school, or an Office/Department/Ministry for its schools)."""
    if unit.is_school and holds_role_at(user, unit.path, SCHOOL_RUNNERS):
        return True
    return role_reaches(user, unit.path, STAFF_ABOVE) or _is_superuser(user)


def can_view_own_marks(user, student) -> bool:
    return getattr(user, "is_authenticated", False) and user.pk == student.pk


# --- class book: absences, conduct, comments (issue #16, point 4) --------------------------------------


def teaches_class(user, *, school_class: Unit, school_year: str, semester: int | None = None) -> list[str]:
    """The subjects `user` teaches in `school_class` that year (that semester when given)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    rows = TeachingAssignment.objects.filter(teacher=user, school_class=school_class, school_year=school_year)
    if semester:
        rows = rows.filter(semester=semester)
    return sorted(set(rows.values_list("subject", flat=True)))


def can_record_absence(user, *, school_class: Unit, school_year: str, semester: int, subject: str = "") -> bool:
    """A whole day: the homeroom teacher. A period: the homeroom teacher, or the teacher of that subject."""
    if not getattr(user, "is_active", False):
        return False
    if is_homeroom_teacher(user, school_class):
        return True
    return bool(subject) and subject in teaches_class(
        user, school_class=school_class, school_year=school_year, semester=semester
    )


def can_set_conduct(user, school_class: Unit) -> bool:
    """Conduct and the general comment: the class's homeroom teacher."""
    return bool(getattr(user, "is_active", False)) and is_homeroom_teacher(user, school_class)


def can_comment(user, *, school_class: Unit, school_year: str, semester: int, subject: str) -> bool:
    """A subject's comment: its teacher that semester; the general one (no subject): the homeroom teacher."""
    if not subject:
        return can_set_conduct(user, school_class)
    return subject in teaches_class(user, school_class=school_class, school_year=school_year, semester=semester)


def can_view_mark_history(user, mark) -> bool:
    """A cell's history: whoever sees the class's book, and the student."""
    return can_view_own_marks(user, mark.student) or can_view_class_book(user, mark.school_class)
