"""How long `manage.py generate_scale --accounts N` takes to build a synthetic country, and its memory.

Target (issue #4): 1,000,000 accounts in under 10 minutes on PostgreSQL on a 2-core machine. Each
size is built in its own throw-away database; prints seconds, accounts/s and peak memory per size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/truonghoc_bench .venv/bin/python bench/bench_scale.py
    … bench/bench_scale.py --sizes 100000 --compare-services

`--compare-services` also times the general-purpose bulk services (users_bulk_create and
role_assignments_bulk_create, INSERT … VALUES) on the same number of accounts as the first size:
the reason generate_scale uses users_bulk_load and role_assignments_bulk_load (COPY on PostgreSQL).
"""

import argparse
import resource
import sys
import time

from _setup import engine, scratch_database


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(size: int) -> None:
    from django.core.management import call_command

    from accounts.models import User
    from courses.models import Course
    from units.models import RoleAssignment, Unit

    with scratch_database():
        started = time.perf_counter()
        call_command("generate_scale", "--accounts", str(size), stdout=sys.stdout)
        seconds = time.perf_counter() - started
        accounts = User.objects.exclude(account_type=User.AccountType.STAFF).count()
        print(
            f"{size:,} accounts: {seconds:.1f} s, {accounts / seconds:,.0f} accounts/s; "
            f"{Unit.objects.count():,} units, {RoleAssignment.objects.count():,} roles, "
            f"{Course.objects.count():,} topics; peak memory (max RSS so far) {peak_mb():.0f} MB",
            flush=True,
        )
        assert accounts == size, (accounts, size)


def compare_services(size: int) -> None:
    """The same accounts and roles written through users_bulk_create + role_assignments_bulk_create."""
    from django.db import transaction

    from accounts.services.core import AccountSpec, users_bulk_create
    from units.models import Role, Unit
    from units.services import UnitSpec, role_assignments_bulk_create, unit_create, units_bulk_create

    kind = Unit.Kind
    with scratch_database():
        ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ GDĐT", kind=kind.MINISTRY)
        (dept,) = units_bulk_create(
            actor=None, parent=ministry, specs=[UnitSpec(code="D", name="Sở GDĐT", kind=kind.DEPARTMENT)]
        )
        (school,) = units_bulk_create(
            actor=None,
            parent=dept,
            specs=[UnitSpec(code="S", name="Trường THPT", kind=kind.SCHOOL, school_level="thpt")],
        )
        (school_class,) = units_bulk_create(
            actor=None, parent=school, specs=[UnitSpec(code="C", name="10A1", kind=kind.CLASS, grade=10)]
        )
        batch = 2000
        started = time.perf_counter()
        for start in range(0, size, batch):
            with transaction.atomic():
                specs = [
                    AccountSpec(
                        username=f"hs{start + i:07d}",
                        full_name="Nguyễn Thị Thu Hằng",
                        account_type="student",
                        unit=school,
                    )
                    for i in range(min(batch, size - start))
                ]
                users = users_bulk_create(specs=specs, batch_size=batch)
                role_assignments_bulk_create(rows=[(u.pk, school_class, Role.STUDENT) for u in users], batch_size=batch)
        seconds = time.perf_counter() - started
        print(
            f"services' bulk_create path, {size:,} accounts with their roles: {seconds:.1f} s, "
            f"{size / seconds:,.0f} accounts/s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000", help="Comma-separated numbers of accounts.")
    parser.add_argument("--compare-services", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"database: {engine()}", flush=True)
    if args.compare_services:
        compare_services(sizes[0])
    for size in sizes:
        build(size)


if __name__ == "__main__":
    main()
