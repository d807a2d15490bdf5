"""The demo school's teaching plan (called by reports/demo.py after the grade book): the group leader's
plan for Toán of the school's first secondary grade, with 8 of its rows online (4 live, 4 on the LMS),
sent and approved by the principal, so the plans' pages and the online share show something."""

from units.models import Role, Unit
from units.permissions import units_where

from .models import LessonMode, PlanLevel, TeachingPlan
from .selectors import grades_taught
from .services import current_school_year, lesson_update, plan_approve, plan_create, plan_submit

DEMO_SUBJECT = "Toán"


def seed_demo_teaching(*, school: Unit | None, principal, leader) -> int:
    """Returns the number of plans made (0 when the school has one already, or lacks what it needs)."""
    if school is None or principal is None or leader is None:
        return 0
    group_path = next(
        (
            h.path
            for h in units_where(leader, {Role.GROUP_LEADER}, kinds=[Unit.Kind.GROUP])
            if h.path.startswith(school.path)
        ),
        None,
    )
    grades = sorted(g for g in grades_taught(school) if g >= 6)
    if group_path is None or not grades:
        return 0
    year = current_school_year(school)
    if TeachingPlan.objects.alive().filter(school=school, school_year=year).exists():
        return 0
    plan = plan_create(
        actor=leader,
        school=school,
        level=PlanLevel.GROUP,
        subject=DEMO_SUBJECT,
        grade=grades[0],
        group=Unit.objects.get(path=group_path),
        school_year=year,
    )
    for lesson in plan.lessons.filter(position__lte=8).order_by("position"):
        lesson_update(
            actor=leader,
            lesson=lesson,
            title=lesson.title,
            periods=lesson.periods,
            week=lesson.week,
            mode=LessonMode.LIVE if lesson.position <= 4 else LessonMode.LMS,
        )
    plan_submit(actor=leader, plan=plan)
    plan_approve(actor=principal, plan=plan)  # the leader wrote it: the school takes the group step
    plan_approve(actor=principal, plan=plan)
    return 1


# --- the timetable ---------------------------------------------------------------------------------------
DEMO_LINK = "https://olm.vn"  # a public LMS schools use: the demo's plain "đường link gắn vào TKB"


def seed_demo_timetables(*, school: Unit | None, principal) -> int:
    """A week for each open class of the demo school, in force from the start of the school year: five
    morning periods Monday–Saturday (Chào cờ first on Monday, Sinh hoạt lớp last on Saturday), the
    grade's subjects in turn, the school's teachers in turn without a teacher in two classes at once; the
    first Toán period links to the demo plan's first live lesson, the second to a web link. Written in
    bulk (a demo of tens of classes); every subject is read through `subject_of_grade` like an import.
    Returns the number of timetables made (0 when the school has some already)."""
    from gradebook.selectors import open_classes, school_teachers
    from units.selectors import school_year_for

    from .models import PlanLesson, Timetable, TimetableSlot
    from .services_timetable import grade_subjects, subject_of_grade

    if school is None or principal is None or Timetable.objects.filter(school=school).exists():
        return 0
    classes = list(open_classes(school=school))
    teachers = list(school_teachers(school=school).values_list("pk", flat=True))
    year = current_school_year(school)
    start = school_year_for(school).start
    live_lesson = (
        PlanLesson.objects.filter(plan__school=school, plan__school_year=year, mode=LessonMode.LIVE)
        .order_by("plan_id", "position")
        .first()
    )
    busy: set[tuple] = set()
    slots, made = [], 0
    for n, school_class in enumerate(classes):
        subjects = [s for s in grade_subjects(year, school_class.grade) if "Chuyên đề" not in s]
        if not subjects:
            continue
        timetable = Timetable.objects.create(
            school=school, school_class=school_class, school_year=year, valid_from=start, created_by=principal
        )
        made += 1
        maths_seen = 0
        for weekday in range(1, 7):
            for period in range(1, 6):
                if (weekday, period) == (1, 1):
                    subject = subject_of_grade("Chào cờ", school_year=year, grade=school_class.grade)
                elif (weekday, period) == (6, 5):
                    subject = subject_of_grade("Sinh hoạt lớp", school_year=year, grade=school_class.grade)
                else:
                    subject = subjects[(weekday * 5 + period + n) % len(subjects)]
                teacher = _free_teacher(teachers, busy, start=n + weekday + period, place=(weekday, period))
                if teacher is not None:
                    busy.add((teacher, weekday, period))
                slot = TimetableSlot(
                    timetable=timetable, weekday=weekday, session="am", period=period, subject=subject,
                    teacher_id=teacher,
                )  # fmt: skip
                if subject == DEMO_SUBJECT:
                    maths_seen += 1
                    if maths_seen == 1 and live_lesson is not None and live_lesson.plan.grade == school_class.grade:
                        slot.plan_lesson = live_lesson
                    elif maths_seen == 2:
                        slot.link_url = DEMO_LINK
                slots.append(slot)
    TimetableSlot.objects.bulk_create(slots, batch_size=1000)
    return made


def _free_teacher(teachers: list[int], busy: set[tuple], *, start: int, place: tuple) -> int | None:
    """The first of the teachers, from `start` round the list, not yet teaching at `place`."""
    for k in range(len(teachers)):
        teacher = teachers[(start + k) % len(teachers)]
        if (teacher, *place) not in busy:
            return teacher
    return None
