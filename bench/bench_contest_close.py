"""Closing a national online round (issue #18): every participant's score read from the test engine's
attempts, entries ranked per unit of the round's level, the best of each unit entered in the next round.

Builds a Department with Offices and schools, N students registered (one registration and one first-round
entry each) and a graded attempt of the round's test for most of them (the rest never handed in), then
times `contests.services.round_close` and counts its queries. The target of the issue: results for
100,000 students in under 2 minutes.
Usage: python bench/bench_contest_close.py [--entries 20000] [--schools 200]
"""

import argparse
import random
import time
from datetime import timedelta
from decimal import Decimal

from _setup import engine, scratch_database


def build(entries: int, schools: int):
    from django.utils import timezone

    from accounts.models import User
    from contests import services
    from contests.models import Registration, Round, RoundEntry
    from materials.models import Attempt, Quiz
    from tests.materials.factories import make_question, make_quiz
    from truonghoc.bulk import bulk_insert
    from units.models import Role, Unit
    from units.services import role_assign, role_assignments_bulk_create, unit_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    offices = [
        unit_create(actor=None, parent=dept, code=f"PGD{n}", name=f"Phòng GDĐT {n}", kind=kind.OFFICE)
        for n in range(max(1, schools // 20))
    ]
    school_units, classes = [], []
    for n in range(schools):
        school = unit_create(
            actor=None, parent=offices[n % len(offices)], code=f"TH{n}", name=f"Trường THCS {n}",
            kind=kind.SCHOOL, school_level="thcs",
        )  # fmt: skip
        school_units.append(school)
        classes.append(unit_create(actor=None, parent=school, code=f"L{n}", name="9A", kind=kind.CLASS, grade=9))
    group = unit_create(actor=None, parent=school_units[0], code="TO", name="Tổ Toán", kind=kind.GROUP)
    staff = User.objects.create(username="so-staff", full_name="Cán bộ Sở", account_type="staff", unit=dept)
    role_assign(actor=None, user=staff, unit=dept, role=Role.DEPARTMENT_STAFF)
    teacher = User.objects.create(username="gv", full_name="Giáo viên", account_type="teacher", unit=school_units[0])
    role_assign(actor=None, user=teacher, unit=group, role=Role.TEACHER)
    bulk_insert(
        User,
        [
            User(
                username=f"hs{n:06d}", full_name=f"Học Sinh {n}", account_type="student", unit=school_units[n % schools]
            )
            for n in range(entries)
        ],
    )
    students = list(User.objects.filter(account_type="student").order_by("pk"))
    role_assignments_bulk_create(rows=[(u.pk, classes[n % schools], Role.STUDENT) for n, u in enumerate(students)])
    now = timezone.now()
    quiz = make_quiz(
        author=teacher, unit=group, questions=[make_question(author=teacher, unit=group, grade=9)], grade=9,
        mode=Quiz.Mode.EXAM, closes_at=now + timedelta(hours=2),
    )  # fmt: skip
    contest = services.contest_create(
        actor=staff, organiser=dept, title="Olympic Toán", audience="students", participation="individual",
        rules="Thể lệ", registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(minutes=1),
    )  # fmt: skip
    first = services.round_create(
        actor=staff, contest=contest, title="Vòng trường", level="school", kind="test", quiz=quiz,
        opens_at=now + timedelta(minutes=2), closes_at=now + timedelta(hours=1), qualify_rule="top_n", qualify_top_n=3,
    )  # fmt: skip
    services.round_create(
        actor=staff, contest=contest, title="Vòng tỉnh", level="department", kind="product",
        opens_at=now + timedelta(hours=2), closes_at=now + timedelta(days=3), allowed_types=["pdf"],
    )  # fmt: skip
    services.contest_announce(actor=staff, contest=contest)
    # Registered and handed in: written in bulk (the services' per-person checks are not what is measured).
    bulk_insert(
        Registration,
        [
            Registration(
                contest=contest,
                user=u,
                school=school_units[n % schools],
                unit=classes[n % schools],
                grade=9,
                registered_by=u,
            )
            for n, u in enumerate(students)
        ],
    )
    registrations = list(Registration.objects.filter(contest=contest).order_by("pk"))
    bulk_insert(RoundEntry, [RoundEntry(round=first, registration=r) for r in registrations])
    rng = random.Random(18)
    started = now - timedelta(minutes=50)
    Round.objects.filter(pk=first.pk).update(opens_at=now - timedelta(hours=1), closes_at=now - timedelta(minutes=1))
    bulk_insert(
        Attempt,
        [
            Attempt(
                quiz=quiz,
                student=u,
                number=1,
                status=Attempt.Status.GRADED,
                started_at=started,
                deadline=started + timedelta(minutes=45),
                submitted_at=started + timedelta(minutes=40),
                score=Decimal(rng.randint(0, 40)) / 4,
            )
            for u in students
            if rng.random() < 0.95
        ],
    )
    first.refresh_from_db()
    return staff, first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--schools", type=int, default=200)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from contests import services
        from contests.models import RoundEntry

        print(f"database: {engine()}; {args.entries} students in {args.schools} schools")
        began = time.perf_counter()
        staff, first = build(args.entries, args.schools)
        print(f"built in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            services.round_close(actor=staff, rnd=first)
        elapsed = time.perf_counter() - began
        qualified = RoundEntry.objects.filter(round=first, status=RoundEntry.Status.QUALIFIED).count()
        following = RoundEntry.objects.filter(round__contest=first.contest, round__order=2).count()
        assert qualified == following and qualified >= 3 * args.schools, (qualified, following)
        print(
            f"round_close: {elapsed:.2f} s for {args.entries} entries ({args.entries / elapsed:,.0f} entries/s), "
            f"{len(queries)} queries; {qualified} go on to the next round"
        )


if __name__ == "__main__":
    main()
