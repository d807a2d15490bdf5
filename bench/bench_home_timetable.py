"""The student's and the parent's home page with the timetable (issue #17, point 3).

A THCS school of 2,000 students (grades 6–9, 44 classes of about 45), 80 teachers, and a timetable for
every class (30 morning periods a week, 1,320 slots; each class also keeps an older version, so "the one
in force" has history to skip). The measured pupil's class links its Toán periods to a live session of a
course the pupil is in, an LMS section and a web link. Written in bulk (the pages, not the writes, are
under test). Times GET / (the whole Django stack) as a pupil, as a parent of one child and as a parent of
three children, and counts the queries: the count is the same for one child or three.

Target (issue #17): a student's or parent's home with the timetable, p95 under 150 ms, at a fixed number
of queries.
Usage: python bench/bench_home_timetable.py [--requests 60]
"""

import argparse
from datetime import timedelta

from _setup import after_bulk_load, engine, page_timings, scratch_database

GRADES = (6, 7, 8, 9)
CLASSES_PER_GRADE = 11
STUDENTS = 2_000
TEACHERS = 80
TARGET_MS = 150


def build():
    from django.utils import timezone

    from accounts.models import Guardianship, User
    from courses.models import Course, Enrolment, LiveSession, Section
    from gradebook.services import current_school_year
    from teaching.models import Timetable, TimetableSlot
    from teaching.services_timetable import grade_subjects
    from units.models import Role, RoleAssignment, Unit
    from units.services import UnitSpec, unit_create, units_bulk_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD-HN", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="PGD-PL", name="Phòng GDĐT Phủ Lý", kind=kind.OFFICE)
    school = unit_create(
        actor=None, parent=office, code="THCS-TKB", name="Trường THCS Thời Khóa Biểu", kind=kind.SCHOOL,
        school_level="thcs",
    )  # fmt: skip
    units_bulk_create(
        actor=None, parent=school,
        specs=[UnitSpec(code=f"TKB-{g}A{n}", name=f"{g}A{n}", kind="class", grade=g)
               for g in GRADES for n in range(1, CLASSES_PER_GRADE + 1)],
    )  # fmt: skip
    classes = list(Unit.objects.children(school, kinds=[kind.CLASS]).order_by("name"))
    teachers = User.objects.bulk_create(
        [User(username=f"gv{t}", full_name=f"Giáo Viên {t}", account_type="teacher", unit=school)
         for t in range(TEACHERS)]
    )  # fmt: skip
    RoleAssignment.objects.bulk_create([RoleAssignment(user=t, unit=school, role=Role.TEACHER) for t in teachers])
    students = User.objects.bulk_create(
        [User(username=f"hs{n}", full_name=f"Học Sinh {n}", account_type="student", unit=school)
         for n in range(STUDENTS)]
    )  # fmt: skip
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=s, unit=classes[n % len(classes)], role=Role.STUDENT) for n, s in enumerate(students)]
    )
    parents = User.objects.bulk_create(
        [User(username=f"ph{n}", full_name=f"Phụ Huynh {n}", account_type="parent", unit=school,
              must_change_password=False) for n in range(2)]
    )  # fmt: skip
    pupil = students[0]  # in classes[0]
    Guardianship.objects.bulk_create(
        [Guardianship(parent=parents[0], child=pupil, relation="mother")]
        + [Guardianship(parent=parents[1], child=c, relation="father") for c in (pupil, students[1], students[2])]
    )
    now = timezone.now()
    course = Course.objects.create(
        unit=school, title="Toán 6 trực tuyến", purpose="<p>x</p>", status="published", published_at=now,
        audience_unit=school, kind="lesson", author=teachers[0],
    )  # fmt: skip
    Enrolment.objects.create(course=course, user=pupil, enrolled_by=teachers[0])
    session = LiveSession.objects.create(
        course=course, title="Phân số", starts_at=now, url="https://meet.jit.si/toan6", created_by=teachers[0]
    )
    section = Section.objects.create(course=course, title="Bài 3")
    year = current_school_year(school)
    today = timezone.localdate()
    slots = []
    for n, school_class in enumerate(classes):
        subjects = grade_subjects(year, school_class.grade)
        for valid_from in (today - timedelta(days=60), today - timedelta(days=7)):
            timetable = Timetable.objects.create(
                school=school, school_class=school_class, school_year=year, valid_from=valid_from
            )
            for weekday in range(1, 7):
                for period in range(1, 6):
                    slot = TimetableSlot(
                        timetable=timetable, weekday=weekday, session="am", period=period,
                        subject=subjects[(weekday * 5 + period + n) % len(subjects)],
                        teacher=teachers[(n + weekday * 5 + period) % TEACHERS],
                    )  # fmt: skip
                    if n == 0 and period == 1:
                        slot.live_session = session
                    elif n == 0 and period == 2:
                        slot.section = section
                    elif period == 3:
                        slot.link_url = "https://olm.vn/bai"
                    slots.append(slot)
    TimetableSlot.objects.bulk_create(slots, batch_size=2000)
    after_bulk_load(User, RoleAssignment, Guardianship, Unit, Timetable, TimetableSlot, Enrolment, Course)
    return pupil, parents, len(classes), len(slots)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with scratch_database():
        print(f"database: {engine()}")
        pupil, parents, classes, slots = build()
        print(f"{STUDENTS:,} students, {classes} classes, {slots:,} timetable slots (two versions a class)")
        worst = 0.0
        for label, username in (
            ("student's home", pupil.username),
            ("parent's home, 1 child", parents[0].username),
            ("parent's home, 3 children", parents[1].username),
        ):
            p50, p95, queries = page_timings("/", username, requests=args.requests)
            worst = max(worst, p95)
            print(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")
        print(f"target p95 < {TARGET_MS} ms: {'met' if worst < TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
