"""Units from a spreadsheet (issue #15 points 3 and 8): check + write, end to end through the import engine.

Targets: a Department loads 141 schools with their groups and classes (about 2,000 units) in under 10 s;
the Ministry loads a country — 63 Departments, 700 Offices, 45,000 schools — from one file in under
2 minutes and 1 GB (peak memory: the process's max RSS, read with resource.getrusage; each size runs in
a process of its own). Also: loading the same file a second time (nothing changes, nothing is duplicated),
a file that renames every unit (the update path), and the queries spent. On whatever DATABASE_URL says
(SQLite without it), in a scratch database the script creates and drops.
"""

import io
import os
import resource
import subprocess
import sys
import time

from _setup import engine, scratch_database
from openpyxl import Workbook

HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp học / loại đơn vị", "Loại hình", "Mã đơn vị cấp trên", "Địa chỉ",
          "Số giáo viên", "Số học sinh"]  # fmt: skip
GROUPS = ("Tổ Toán – Tin", "Tổ Ngữ văn", "Tổ Khoa học tự nhiên", "Tổ Ngoại ngữ")


def workbook(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Don vi")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def province_rows(prefix: str, schools: int = 141, offices: int = 10):
    """A Department's file: its Offices, 141 schools (every tenth a THPT under the Department), and
    each school's 4 groups and 9 to 10 classes: about 2,000 units."""
    for o in range(offices):
        yield [f"{prefix}P{o:02d}", f"Phòng GDĐT Huyện {o}", "Phòng", "", "", "", "", ""]
    for s in range(schools):
        code = f"{prefix}T{s:04d}"
        if s % 10 == 0:
            yield [code, f"Trường THPT số {s}", "THPT", "Công lập", "", f"Xã {s}", "60", "1200"]
            grades = (10, 11, 12)
        else:
            yield [code, f"Trường THCS số {s}", "THCS", "Công lập", f"{prefix}P{s % offices:02d}", "", "35", "600"]
            grades = (6, 7, 8, 9)
        for g, group in enumerate(GROUPS):
            yield [f"{code}-G{g}", group, "Tổ", "", code, "", "", ""]
        for grade in grades:
            for n in range(1, 3 + (grade % 2)):
                yield [f"{code}-{grade}A{n}", f"{grade}A{n}", "Lớp", "", code, "", "", ""]


def country_rows(departments: int = 63, offices: int = 700, schools: int = 45_000):
    for d in range(departments):
        yield [f"S{d:02d}", f"Sở GDĐT Tỉnh {d}", "Sở", "", "", "", "", ""]
    for o in range(offices):
        yield [f"P{o:03d}", f"Phòng GDĐT Huyện {o}", "Phòng", "", f"S{o % departments:02d}", "", "", ""]
    levels = ("Tiểu học", "THCS", "Tiểu học", "THCS", "THPT", "TH&THCS", "GDTX")
    for s in range(schools):
        level = levels[s % len(levels)]
        parent = f"S{s % departments:02d}" if level in ("THPT", "GDTX") else f"P{s % offices:03d}"
        yield [f"{100000 + s}", f"Trường {level} số {s}", level, "Công lập", parent, f"Xã {s}", "30", "500"]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load(under, content: bytes) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from units.importing import unit_import_apply, unit_import_confirm, unit_import_start, unit_import_validate

    figures = {}
    start = time.perf_counter()
    cpu = cpu_seconds()
    with CaptureQueriesContext(connection) as check_queries:
        batch = unit_import_start(actor=None, under=under, upload=SimpleUploadedFile("units.xlsx", content))
        batch = unit_import_validate(batch=batch, content=content)
    figures["check s"] = time.perf_counter() - start
    assert batch.error_rows == 0, list(batch.rows.filter(action="error").values_list("line", "errors")[:3])
    figures["check queries"] = len(check_queries)
    if batch.status == "ready":
        mark = time.perf_counter()
        with CaptureQueriesContext(connection) as write_queries:
            batch = unit_import_apply(actor=None, batch=unit_import_confirm(actor=None, batch=batch))
        assert batch.status == "done", batch.message
        figures["write s"] = time.perf_counter() - mark
        figures["write queries"] = len(write_queries)
    figures["total s"] = time.perf_counter() - start
    # On a shared machine the wall time counts the other processes' turns too; the CPU time of this
    # process (SQLite runs inside it) is what the import itself costs.
    figures["cpu s"] = cpu_seconds() - cpu
    figures["created"], figures["updated"], figures["unchanged"] = (
        batch.new_rows,
        batch.updated_rows,
        batch.unchanged_rows,
    )
    return figures


def show(label: str, figures: dict) -> None:
    print(
        f"{label}: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in figures.items())
    )


def peak_mb() -> float:
    """The process's peak resident memory so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summary(label: str, rows: int, first: dict, again: dict, rss_before: float) -> None:
    """The figures the targets are stated in, on one line per size."""
    total = first["total s"]
    queries = first["check queries"] + first.get("write queries", 0)
    print(
        f"SUMMARY {label}: {rows:,} units in {total:.1f} s ({rows / total:,.0f} rows/s, cpu {first['cpu s']:.1f} s), "
        f"{queries:,} queries (check {first['check queries']:,} + apply {first.get('write queries', 0):,}); "
        f"again {again['total s']:.1f} s, {again['check queries']:,} queries; "
        f"peak memory {peak_mb():.0f} MB max RSS ({peak_mb() - rss_before:+.0f} MB over the start)"
    )


def run(size: str) -> None:
    """One size in a scratch database of its own (created and dropped here: the tests' database is
    never touched), so that its peak memory is its own."""
    from units.models import Unit
    from units.services import unit_create

    with scratch_database():
        rss_before = peak_mb()
        print(f"database: {engine()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ GDĐT", kind="ministry")
        if size == "province":
            under = unit_create(actor=None, parent=ministry, code="BENCH-SO", name="Sở GDĐT Bench", kind="department")
            rows = list(province_rows("B"))
            label = f"a Department's province ({len(rows):,} units)"
        else:
            under = ministry
            rows = list(country_rows())
            label = f"the Ministry's country ({len(rows):,} units)"
        content = workbook(rows)
        first = load(under, content)
        show(f"{label}, {len(content) / 1024:,.0f} KB", first)
        again = load(under, content)
        show("  the same file again", again)
        renamed = workbook([[r[0], r[1] + " (mới)", *r[2:]] for r in rows])
        show("  every name changed", load(under, renamed))
        print(f"  units in the tree: {Unit.objects.count():,}")
        summary(label, len(rows), first, again, rss_before)


def main() -> None:
    """Both sizes, each in a process of its own (`bench_import_units.py province|country` runs one)."""
    if len(sys.argv) > 1:
        run(sys.argv[1])
        return
    for size in ("province", "country"):
        subprocess.run([sys.executable, __file__, size], check=True)  # noqa: S603 - this script, a fixed word


if __name__ == "__main__":
    main()
