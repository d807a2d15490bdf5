"""Grade-entry progress for a Department (issue #16): "Progress figures for a Department: read from
snapshots, under 100 ms".

Builds the demo province (Hà Nam, 141 schools), gives every school with secondary classes teaching
assignments and marks for the current semester (bulk, as the demo school gets them, most cells filled,
some teachers behind, a deadline passed), then prints the time of the snapshots' recompute with the
grade-entry figures, and p50/p95 ms and the queries of the Department's grade-entry progress page
(`reports:grade_entry`: its Offices and schools, also filtered and searched) and of its dashboard, both
reading the snapshots only (target: under 100 ms).
Usage: python bench/bench_gradebook_progress.py [--subjects 12] [--requests 40]
"""

import argparse
import time

from _setup import engine, page_timings, scratch_database, seed_demo_province


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=12, help="subjects per grade to fill (12 = all)")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    from django.db import connection
    from django.urls import reverse

    from gradebook.demo import seed_demo_gradebook
    from gradebook.models import Mark, TeachingAssignment
    from reports.services import analyze_tables, stats_recompute
    from units import periods
    from units.models import Role, RoleAssignment, Unit

    with scratch_database():
        print(f"database: {engine()}")
        print(f"demo province seeded in {seed_demo_province():.0f} s")
        dept = Unit.objects.get(code="SGD-HANAM")
        start = time.perf_counter()
        principals = dict(
            RoleAssignment.objects.filter(role=Role.PRINCIPAL, unit__kind=Unit.Kind.SCHOOL).values_list(
                "unit_id", "user"
            )
        )
        from accounts.models import User

        users = User.objects.in_bulk(set(principals.values()))
        for school in Unit.objects.schools_under(dept).filter(kind=Unit.Kind.SCHOOL, is_active=True):
            if school.pk in principals:
                seed_demo_gradebook(
                    school=school, principal=users[principals[school.pk]], teacher=None, student=None,
                    subjects=args.subjects, events=False,
                )  # fmt: skip
        analyze_tables(Mark, TeachingAssignment)
        print(
            f"grade books generated in {time.perf_counter() - start:.0f} s: "
            f"{TeachingAssignment.objects.count():,} teaching assignments, {Mark.objects.count():,} marks"
        )
        semester = periods.current_periods()[2]
        start = time.perf_counter()
        stats_recompute()
        print(f"full recompute of the snapshots, grade entry included: {time.perf_counter() - start:.2f} s")
        from gradebook.progress import schools_totals

        ids = list(Unit.objects.schools_under(dept).values_list("pk", flat=True))
        year = f"{semester.first_year}-{semester.first_year + 1}"
        start = time.perf_counter()
        schools_totals(school_ids=ids, school_year=year, semester=semester.number)
        print(f"  of which grade-entry progress of {len(ids)} schools alone: {time.perf_counter() - start:.2f} s")
        query = f"?period={semester.key}"
        pages = [
            ("Department's grade-entry progress page", reverse("reports:grade_entry", args=[dept.pk]) + query),
            ("  the same, behind only", reverse("reports:grade_entry", args=[dept.pk]) + query + "&behind=1"),
            ("  the same, searched without accents", reverse("reports:grade_entry", args=[dept.pk]) + query + "&q=ly"),
            ("Department dashboard with grade entry", reverse("reports:dashboard", args=[dept.pk]) + query),
        ]
        for label, url in pages:
            p50, p95, queries = page_timings(url, "so", args.requests)
            print(f"{label} (snapshots): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")
        connection.close()


if __name__ == "__main__":
    main()
