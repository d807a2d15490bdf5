"""A mark from an online test (materials) or a graded submission (courses) sent into a chosen regular
column of the grade book. Scores are on the 10-point scale with two places; the grade book keeps one,
rounded half up. Written with `mark_set` (source "test:<id>" / "submission:<id>") by the teacher, all or
nothing; students without a score are skipped and listed."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import class_students
from courses.models import Assignment, Submission
from materials.models import Quiz
from materials.selectors.results import ScoreStatus, quiz_scores
from units.models import Unit

from . import rules, services
from .models import Mark, MarkKind


def quiz_score_map(quiz: Quiz) -> dict[int, Decimal]:
    """Each student's best graded score of the test (an attempt still waiting for essay marks is not a score)."""
    return {
        row.student_id: row.best_score
        for row in quiz_scores(quiz=quiz)
        if row.status == ScoreStatus.GRADED and row.best_score is not None
    }


def submission_score_map(assignment: Assignment) -> dict[int, Decimal]:
    """Each learner's grade on the current version of their submission (one per learner)."""
    return dict(
        Submission.objects.filter(
            assignment=assignment, is_current=True, grade__isnull=False, learner__isnull=False
        ).values_list("learner_id", "grade")
    )


@dataclass
class SendPlan:
    rows: list[tuple[object, Decimal, Decimal, Decimal | None]] = field(
        default_factory=list
    )  # student, score, mark, now
    skipped: list[object] = field(default_factory=list)


def send_plan(
    *, scores: dict[int, Decimal], school_class: Unit, subject: str, semester: int, index: int, school_year: str
) -> SendPlan:
    plan = SendPlan()
    current = {
        m.student_id: m.value
        for m in Mark.objects.filter(
            school_class=school_class,
            school_year=school_year,
            semester=semester,
            subject=subject,
            kind=MarkKind.REGULAR,
            index=index,
        )
    }
    for student in class_students(school_class=school_class):
        score = scores.get(student.pk)
        if score is None:
            plan.skipped.append(student)
            continue
        plan.rows.append((student, score, rules.round_mark(Decimal(score)), current.get(student.pk)))
    return plan


@transaction.atomic
def scores_send(
    *,
    actor,
    scores: dict[int, Decimal],
    school_class: Unit,
    subject: str,
    semester: int,
    index: int,
    source: str,
    school_year: str | None = None,
) -> SendPlan:
    """Write each score of the class's students into regular column `index`; one refusal (not the
    teacher, a locked cell, a column the subject does not have) writes nothing."""
    school_year = school_year or services.current_school_year(school_class.school())
    plan = send_plan(
        scores=scores,
        school_class=school_class,
        subject=subject,
        semester=semester,
        index=index,
        school_year=school_year,
    )
    if not plan.rows:
        raise ValidationError(_("No student of %(name)s has a score to send.") % {"name": school_class.name})
    for student, _score, mark, _now in plan.rows:
        try:
            services.mark_set(
                actor=actor,
                student_id=student.pk,
                school_class=school_class,
                subject=subject,
                semester=semester,
                kind=MarkKind.REGULAR,
                index=index,
                value=mark,
                school_year=school_year,
                source=source,
            )
        except ValidationError as error:
            raise ValidationError(
                _("%(name)s: %(problem)s Nothing was written.")
                % {"name": student.full_name, "problem": " ".join(error.messages)}
            ) from error
        except PermissionDenied:
            raise
    return plan
