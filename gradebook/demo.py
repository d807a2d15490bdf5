"""The demo school's grade book for `manage.py seed_demo` (issue #16): one school's current semester filled
so that every level has something to see — teaching assignments for each of its classes and subjects
(`giaovien` teaches Toán in `hocsinh`'s class), marks in most cells and some left empty (a few teachers
behind), the regular-assessment deadline passed, the mid-term one still ahead, and some columns locked.
The Department's progress view is then filled by the snapshots' recompute that seed_demo runs after it.

Written in bulk (a school is tens of thousands of cells): the rows are those `mark_set` would write,
each mark with its first history event (source "demo"). Idempotent: a school that already has teaching
assignments for the semester is left as it is.

The change request waiting for the principal is left to `_demo_change_request(...)`, which the change
requests' part of the grade book adds (it owns `MarkChangeRequest`).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from units.models import Role, RoleAssignment, Unit, in_subtree_q
from units.selectors import school_year_for

from .models import EntryDeadline, Lock, Mark, MarkEvent, MarkKind, SubjectRule, TeachingAssignment
from .services import regulation_for, subject_rules_ensure

BATCH = 5000
DEMO_SUBJECT = "Toán"
# Share of the teachers who are behind (a third of their cells empty), the rest nearly complete.
BEHIND_SHARE = 0.25


def _levels(rng) -> str:
    return "D" if rng.random() < 0.9 else "CD"


def _value(rng) -> Decimal:
    return Decimal(str(round(min(10.0, max(2.0, rng.gauss(7.0, 1.5))) * 2) / 2)).quantize(Decimal("0.1"))


@transaction.atomic
def seed_demo_gradebook(
    *,
    school: Unit | None,
    principal: User | None,
    teacher: User | None,
    student: User | None,
    subjects: int | None = None,
    events: bool = True,
) -> int:
    """Fill `school`'s grade book for the current semester; returns the number of marks written (0 when it
    was filled before, or when the school has no class with a secondary-school programme). The benchmark
    keeps the first `subjects` subjects of each grade and leaves the history events out (`events=False`)."""
    if school is None or principal is None:
        return 0
    today = timezone.localdate()
    year_dates = school_year_for(school, today)
    year, semester = year_dates.label, year_dates.semester_number(today)
    if TeachingAssignment.objects.filter(school=school, school_year=year, semester=semester).exists():
        return 0
    subject_rules_ensure(school_year=year)
    classes = [
        c
        for c in Unit.objects.children(school, kinds=[Unit.Kind.CLASS]).filter(is_active=True).order_by("path")
        if (c.grade or 0) >= 6
    ]
    if not classes:
        return 0
    rules = {}
    for rule in SubjectRule.objects.filter(school_year=year, grade__in={c.grade for c in classes}):
        rules.setdefault((rule.regulation, rule.grade), []).append(rule)
    teacher_ids = list(
        RoleAssignment.objects.filter(
            in_subtree_q(school), role__in=(Role.TEACHER, Role.GROUP_LEADER), user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    ) or [principal.pk]
    students: dict[int, list[int]] = {}
    for class_id, user_id in RoleAssignment.objects.filter(
        unit__in=classes, role=Role.STUDENT, user__is_active=True
    ).values_list("unit_id", "user_id"):
        students.setdefault(class_id, []).append(user_id)
    student_class = next((cid for cid, ids in students.items() if student and student.pk in ids), None)

    rng = random.Random(f"gradebook-{school.code}")  # noqa: S311 - reproducible demo data
    behind = set(rng.sample(teacher_ids, max(1, int(len(teacher_ids) * BEHIND_SHARE)))) - {getattr(teacher, "pk", None)}
    now = timezone.now()
    assignments, marks = [], []
    turn = 0
    for school_class in classes:
        for rule in rules.get((regulation_for(school_class), school_class.grade), [])[:subjects]:
            if teacher is not None and school_class.pk == student_class and rule.subject == DEMO_SUBJECT:
                teacher_id = teacher.pk
            else:
                teacher_id = teacher_ids[turn % len(teacher_ids)]
                turn += 1
            assignments.append(
                TeachingAssignment(
                    school=school, school_class=school_class, school_year=year, semester=semester,
                    subject=rule.subject, teacher_id=teacher_id, set_by=principal, updated_at=now,
                )
            )  # fmt: skip
            fill = 0.65 if teacher_id in behind else 0.97
            # Mid-semester: the end-of-term test and a primary subject's semester level are not in yet.
            columns = [c for c in rule.columns() if c[0] not in (MarkKind.END_OF_TERM, MarkKind.LEVEL)]
            for student_id in students.get(school_class.pk, []):
                for kind, index in columns:
                    if rng.random() > fill:
                        continue  # left empty: the teacher has not entered it yet
                    value, level = (None, _levels(rng)) if rule.by_comment else (_value(rng), "")
                    marks.append(
                        Mark(
                            student_id=student_id, school=school, school_class=school_class, school_year=year,
                            semester=semester, subject=rule.subject, kind=kind, index=index, value=value,
                            level=level, entered_by_id=teacher_id, updated_at=now,
                        )
                    )  # fmt: skip
    TeachingAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    Mark.objects.bulk_create(marks, batch_size=BATCH, ignore_conflicts=True)
    if events:
        _first_events(school=school, year=year, semester=semester, now=now)
    _deadlines_and_locks(
        school=school, year=year, semester=semester, principal=principal, classes=classes,
        student_class=student_class, today=today, now=now,
    )  # fmt: skip
    if teacher is not None and student_class is not None:
        _demo_change_request(teacher=teacher, school_class_id=student_class, year=year, semester=semester)
    return len(marks)


def _demo_change_request(*, teacher, school_class_id: int, year: str, semester: int) -> None:
    """One change request waiting for the principal: the demo teacher asks to correct a mark of the locked
    Toán column of the demo student's class, through the same service a teacher uses."""
    from .locking import change_request_create

    mark = (
        Mark.objects.filter(
            school_class_id=school_class_id, school_year=year, semester=semester, subject=DEMO_SUBJECT,
            kind=MarkKind.REGULAR, value__isnull=False, value__lt=Decimal("9"),
        )
        .order_by("student__name_sort", "index")
        .first()
    )  # fmt: skip
    if mark is not None:
        change_request_create(
            actor=teacher, mark=mark, value=str(mark.value + 1),
            reason="Nhập nhầm điểm kiểm tra thường xuyên khi chép từ sổ tay; bài làm thực tế được cao hơn 1 điểm.",
        )  # fmt: skip


def _first_events(*, school, year, semester, now) -> None:
    created = Mark.objects.filter(school=school, school_year=year, semester=semester).values_list(
        "id", "value", "level", "entered_by_id"
    )
    MarkEvent.objects.bulk_create(
        (
            MarkEvent(mark_id=pk, new_value=value, new_level=level, by_id=by, at=now, source="demo")
            for pk, value, level, by in created.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


def _deadlines_and_locks(*, school, year, semester, principal, classes, student_class, today, now) -> None:
    # Deadlines: the regular assessments were due a week ago (the teachers behind show up), the
    # mid-term is due in two weeks, the end-of-term in a month.
    for kind, days in ((MarkKind.REGULAR, -7), (MarkKind.MIDTERM, 14), (MarkKind.END_OF_TERM, 30)):
        EntryDeadline.objects.update_or_create(
            school=school, school_year=year, semester=semester, kind=kind,
            defaults={"due": today + timedelta(days=days), "set_by": principal, "updated_at": now},
        )  # fmt: skip
    # Locks: the regular columns of the first class, and Toán's regular column in the demo student's class.
    locked = [(classes[0], "")]
    if student_class is not None:
        locked.append((next(c for c in classes if c.pk == student_class), DEMO_SUBJECT))
    for school_class, subject in locked:
        Lock.objects.create(
            school=school, school_year=year, semester=semester, school_class=school_class, subject=subject,
            kind=MarkKind.REGULAR, locks_at=now - timedelta(days=1), set_by=principal,
        )  # fmt: skip
