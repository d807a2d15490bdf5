"""The judge's queue (issue #18): 10,000 products judged by 500 judges.

A Department's product round with 10,000 products from 100 schools (Offices of 20 schools each), a pool of
500 judges (teachers of those schools and Office staff). The automatic assignment gives each product two
judges, never one of its own school (timed, with its queries); then about half the assignments are scored,
and some products wait for a third judge. Through the whole Django stack (test Client), GET of one judge's
queue, each tab: prints p50/p95 ms and the queries of each. Target: the queue page p95 under 150 ms, at a
number of queries that does not grow with the data (tests/contests/test_judging_pages.py pins it).
Usage: python bench/bench_judge_queue.py [--products 10000] [--judges 500] [--requests 60]
"""

import argparse
import time
from datetime import timedelta
from decimal import Decimal

from _setup import after_bulk_load, engine, page_timings, scratch_database

SCHOOLS = 100
SCHOOLS_PER_OFFICE = 20


def build(products: int, judges: int):
    from django.utils import timezone

    from accounts.models import User
    from contests.models import (
        Contest,
        Criterion,
        Level,
        Product,
        Registration,
        Round,
        RoundEntry,
        Rubric,
    )
    from units.models import Role, Unit
    from units.services import role_assign, role_assignments_bulk_create, unit_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD-HN", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    offices, schools = [], []
    for o in range(SCHOOLS // SCHOOLS_PER_OFFICE):
        office = unit_create(actor=None, parent=dept, code=f"PGD{o}", name=f"Phòng GDĐT {o}", kind=kind.OFFICE)
        offices.append(office)
        for s in range(SCHOOLS_PER_OFFICE):
            schools.append(
                unit_create(
                    actor=None,
                    parent=office,
                    code=f"THCS{o}-{s}",
                    name=f"Trường THCS {o}-{s}",
                    kind=kind.SCHOOL,
                    school_level="thcs",
                )
            )
    organiser = User.objects.create(username="bench-so", full_name="Cán Bộ Sở", account_type="staff", unit=dept)
    role_assign(actor=None, user=organiser, unit=dept, role=Role.DEPARTMENT_STAFF)
    people = User.objects.bulk_create(
        [User(username=f"gk{n:04d}", full_name=f"Giám Khảo {n}", account_type="teacher",
              unit=schools[n % SCHOOLS] if n % 10 else offices[n % len(offices)]) for n in range(judges)]
        + [User(username=f"hs{n:05d}", full_name=f"Học Sinh {n}", account_type="student", unit=schools[n % SCHOOLS])
           for n in range(products)],
        batch_size=2000,
    )  # fmt: skip
    pool, students = people[:judges], people[judges:]
    role_assignments_bulk_create(
        rows=[(u.pk, u.unit, Role.TEACHER if u.unit.kind == kind.SCHOOL else Role.OFFICE_STAFF) for u in pool]
        + [(u.pk, u.unit, Role.STUDENT) for u in students]
    )
    now = timezone.now()
    contest = Contest.objects.create(
        title="Cuộc thi Khoa học kỹ thuật cấp tỉnh", slug="khkt-bench", organiser=dept, created_by=organiser,
        registration_opens_at=now - timedelta(days=60), registration_closes_at=now - timedelta(days=30),
        status=Contest.Status.RUNNING,
    )  # fmt: skip
    rubric = Rubric.objects.create(contest=contest, title="Tiêu chí")
    for n, (title, top) in enumerate([("Nội dung", 10), ("Sáng tạo", 10), ("Trình bày", 5)]):
        Criterion.objects.create(rubric=rubric, position=n, title=title, max_score=Decimal(top))
    round_ = Round.objects.create(
        contest=contest, order=1, title="Vòng sản phẩm", level=Level.DEPARTMENT, kind=Round.Kind.PRODUCT,
        closes_at=now - timedelta(days=1), rubric=rubric,
    )  # fmt: skip
    registrations = Registration.objects.bulk_create(
        [Registration(contest=contest, user=u, school=u.unit, registered_by=u) for u in students], batch_size=2000
    )
    entries = RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, registration=r, rank_unit=dept) for r in registrations], batch_size=2000
    )
    Product.objects.bulk_create(
        [Product(entry=e, title=f"Sản phẩm {n}", version_count=1) for n, e in enumerate(entries)], batch_size=2000
    )
    return organiser, round_, pool


def judge_some(round_, pool, busiest):
    """About half the assignments scored; a product in twenty, and every third one the busiest judge scored,
    with a third judge still to score."""
    from django.utils import timezone

    from contests.models import JudgeAssignment, Score

    assignments = list(JudgeAssignment.objects.filter(round=round_).order_by("pk").values_list("pk", "product_id"))
    scores = [Score(assignment_id=pk, values={}, total=Decimal(10 + pk % 7), submitted_at=timezone.now())
              for n, (pk, _product) in enumerate(assignments) if n % 2 == 0]  # fmt: skip
    Score.objects.bulk_create(scores, batch_size=2000)
    thirds = []
    products = sorted({product for _pk, product in assignments})
    taken = {}
    for _pk, product in assignments:
        taken.setdefault(product, set())
    for pk, product in JudgeAssignment.objects.filter(round=round_).values_list("judge_id", "product_id"):
        taken[product].add(pk)
    scored_ids = {score.assignment_id for score in scores}
    mine = [p for pk, p in JudgeAssignment.objects.filter(round=round_, judge=busiest).values_list("pk", "product_id")
            if pk in scored_ids][::3]  # fmt: skip
    for n, product in enumerate(sorted(set(products[::20]) | set(mine))):
        judge = next(j for j in pool[n % len(pool) :] + pool if j.pk not in taken[product])
        thirds.append(
            JudgeAssignment(round=round_, judge=judge, product_id=product, assigned_by=pool[0], is_third=True)
        )
    JudgeAssignment.objects.bulk_create(thirds, batch_size=2000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--judges", type=int, default=500)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with scratch_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from contests import judging
        from contests.models import JudgeAssignment, Product, Registration, RoundEntry, RoundJudge, Score
        from units.models import RoleAssignment

        print(f"database: {engine()}")
        start = time.perf_counter()
        organiser, round_, pool = build(args.products, args.judges)
        after_bulk_load(Product, RoundEntry, Registration, RoleAssignment)
        print(f"built {args.products} products, {args.judges} judges in {time.perf_counter() - start:.1f} s")
        judging.judges_add(actor=organiser, round_=round_, judges=pool)
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            made = judging.judges_assign_auto(actor=organiser, round_=round_)
        print(f"automatic assignment: {made} assignments in {time.perf_counter() - start:.2f} s, "
              f"{len(queries)} queries")  # fmt: skip
        busiest = max(pool, key=lambda j: JudgeAssignment.objects.filter(judge=j).count())
        judge_some(round_, pool, busiest)
        after_bulk_load(JudgeAssignment, Score, RoundJudge)
        counts = judging.judge_queue_counts(busiest)
        print(f"judge {busiest.username}: {counts}")
        worst = 0.0
        for tab in judging.QUEUE_TABS:
            p50, p95, n = page_timings(f"/cuoc-thi/cham/?show={tab}", busiest.username, args.requests)
            worst = max(worst, p95)
            print(f"  queue {tab:<8} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {n} queries")
        # The frame every page pays (base template, session, menus) on this machine, for comparison.
        p50, p95, n = page_timings("/cuoc-thi/xac-minh/", busiest.username, args.requests)
        print(f"  (a page with no data of its own: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {n} queries)")
        print(f"worst p95 {worst:.1f} ms (target 150 ms): {'OK' if worst < 150 else 'SLOW'}")


if __name__ == "__main__":
    main()
