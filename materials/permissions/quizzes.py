"""Who builds, takes and follows tests.

- A teacher (or group leader, or the school's managers) builds tests in their group or school; the
  author (while they belong where the test was made, `units.permissions.belongs_where`) and the school's
  managers manage a test (edit a draft, publish, grade essays, see results).
  The group's leader also sees the results of tests made in the group.
- A test is taken by the students of its classes and the active learners of its course
  (`courses.permissions.is_learner`), while it is
  published and open, within the attempts allowed.
- A student sees their own attempts; results of an exam only once it has closed.
Out-of-scope tests and attempts look missing (404).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment
from courses.permissions import is_learner
from truonghoc.formatting import datetime_text
from truonghoc.softdelete import alive_q
from units.models import Role, RoleAssignment, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, belongs_where, units_where

from ..models import Attempt, Quiz
from . import _active, _holds, school_path

K = Unit.Kind


def _manages_school(user, quiz: Quiz) -> bool:
    path = school_path(quiz.unit)
    return bool(path) and _holds(user, SCHOOL_MANAGER_ROLES, path)


def _authors(user, quiz: Quiz) -> bool:
    """The test's author, while they belong where it was made (issue #14): an author who moved to another
    school no longer sees its takers' results nor grades them."""
    return quiz.author_id == user.pk and belongs_where(user, quiz.unit)


def can_manage_quiz(user, quiz: Quiz) -> bool:
    """Edit, publish, grade essays, see and export results."""
    if not _active(user) or quiz.is_deleted:
        return False
    return user.is_superuser or _authors(user, quiz) or _manages_school(user, quiz)


def can_view_results(user, quiz: Quiz) -> bool:
    if can_manage_quiz(user, quiz):
        return True
    return (
        _active(user)
        and not quiz.is_deleted
        and quiz.unit.kind == K.GROUP
        and _holds(user, {Role.GROUP_LEADER}, quiz.unit.path)
    )


def class_ids(user) -> set[int]:
    """The classes where the user is a student. Cached on the user."""
    cached = user.__dict__.get("_quiz_class_ids")
    if cached is None:
        cached = set(
            user.role_assignments.filter(role=Role.STUDENT, unit__kind=K.CLASS).values_list("unit_id", flat=True)
        )
        user.__dict__["_quiz_class_ids"] = cached
    return cached


# Apps above materials that give a test to people outside its classes and course (contests: the
# participants of an online round, during the round's window) register a rule `rule(user, quiz) -> bool`
# in their AppConfig.ready; materials cannot import them (the layers), and the test engine stays one.
_TAKER_RULES: list = []


def register_taker_rule(rule) -> None:
    if rule not in _TAKER_RULES:
        _TAKER_RULES.append(rule)


def is_eligible(user, quiz: Quiz) -> bool:
    """A student of one of the test's classes, an active learner of its course, or someone a registered
    taker rule lets in."""
    if not _active(user):
        return False
    if class_ids(user) & set(quiz.classes.values_list("pk", flat=True)):
        return True
    # The course's rule: an enrolment counts while the learner still belongs where the course lives.
    if quiz.course_id and is_learner(user, quiz.course):
        return True
    return any(rule(user, quiz) for rule in _TAKER_RULES)


def quiz_students(quiz: Quiz):
    """Who may take the test (as is_eligible says, for everyone at once): the active students of its
    classes and the active learners of its course."""
    query = Q(
        pk__in=RoleAssignment.objects.filter(role=Role.STUDENT, unit__in=quiz.classes.values("pk")).values("user_id")
    )
    if quiz.course_id:
        query |= Q(
            pk__in=Enrolment.objects.filter(course_id=quiz.course_id, withdrawn_at__isnull=True).values("user_id")
        )
    return get_user_model().objects.filter(query, is_active=True).order_by("pk")


def quizzes_for_student_q(user) -> Q:
    """Published tests the user may take (open or not): by class or by course."""
    if not _active(user):
        return Q(pk__in=[])
    courses = Enrolment.objects.filter(user=user, withdrawn_at__isnull=True).values("course_id")
    by_class = Quiz.classes.through.objects.filter(unit_id__in=sorted(class_ids(user))).values("quiz_id")
    return Q(alive_q(), status=Quiz.Status.PUBLISHED) & (Q(pk__in=by_class) | Q(course_id__in=courses))


def why_cannot_start(user, quiz: Quiz, *, attempts_used: int, now=None) -> str | None:
    """None when the user may start an attempt now; otherwise the reason, for the page and the service."""
    now = now or timezone.now()
    if not is_eligible(user, quiz) or quiz.status != Quiz.Status.PUBLISHED or quiz.is_deleted:
        return _("This test is not open to you.")
    if quiz.opens_at and now < quiz.opens_at:
        when = datetime_text(quiz.opens_at)
        return _("This test opens at %(time)s.") % {"time": when}
    if quiz.closes_at and now >= quiz.closes_at:
        return _("This test closed at %(time)s.") % {"time": datetime_text(quiz.closes_at)}
    if attempts_used >= quiz.max_attempts:
        return _("You have used all %(count)d attempts allowed for this test.") % {"count": quiz.max_attempts}
    return None


def quiz_for_manager_or_404(user, pk) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("unit", "author", "course"), pk=pk)
    if not can_manage_quiz(user, quiz):
        raise Http404
    return quiz


def quiz_for_results_or_404(user, pk) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("unit", "author", "course"), pk=pk)
    if not can_view_results(user, quiz):
        raise Http404
    return quiz


def quiz_for_taker_or_404(user, pk) -> Quiz:
    """A published test the user may take (whether or not it is open now), or one they manage."""
    quiz = get_object_or_404(Quiz.objects.select_related("unit", "author", "course"), pk=pk)
    if can_view_results(user, quiz):
        return quiz
    if quiz.is_deleted or quiz.status != Quiz.Status.PUBLISHED or not is_eligible(user, quiz):
        raise Http404
    return quiz


def attempt_for_user_or_404(user, pk) -> Attempt:
    """The student's own attempt, or any attempt of a test whose results the user may see."""
    attempt = get_object_or_404(Attempt.objects.select_related("quiz__unit", "quiz__author", "student"), pk=pk)
    if _active(user) and attempt.student_id == user.pk:
        return attempt
    if can_view_results(user, attempt.quiz):
        return attempt
    raise Http404


def can_restore_quiz(user, quiz: Quiz) -> bool:
    """A removed test comes back by the hand of its author or the school's managers."""
    if not _active(user) or not quiz.is_deleted:
        return False
    return user.is_superuser or _authors(user, quiz) or _manages_school(user, quiz)


def quiz_for_restore_or_404(user, pk) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("unit", "author", "course"), pk=pk)
    if not can_restore_quiz(user, quiz):
        raise Http404
    return quiz


def managed_school_paths(user) -> list[str]:
    """Schools whose tests the user manages as principal or school admin."""
    return sorted(held.path for held in units_where(user, SCHOOL_MANAGER_ROLES, kinds=Unit.SCHOOL_KINDS))


def attempt_for_student_or_404(user, pk) -> Attempt:
    """The student's own attempt (taking it, handing it in, its receipt); anyone else's looks missing."""
    if not _active(user):
        raise Http404
    attempt = Attempt.objects.select_related("quiz").filter(pk=pk, student=user).first()
    if attempt is None:
        raise Http404
    return attempt
