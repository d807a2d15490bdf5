"""The online-teaching records (issue #17, point 5): a 2,000-student THCS school's record and its archive.

Builds the school of `bench_teaching_share.py` (128 approved plans, 4,480 lessons), then times
`teaching.records.record_of` (the record page's reads) with its queries, and `teaching.archive.archive_write`
(the zip the Celery task writes: index, directives, share, lessons, and every plan as xlsx and PDF) into
a temporary file, with the zip's size and the process's peak memory before and after (the zip is
written entry by entry to disk, so the peak should not grow with the archive).
Usage: python bench/bench_records.py [--runs 5] [--plans N (archive only the first N plans; 0 = all)]
"""

import argparse
import resource
import tempfile
import time

from _setup import engine, scratch_database
from bench_teaching_share import build, timed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans", type=int, default=0)
    args = parser.parse_args()
    with scratch_database():
        from teaching.archive import archive_write
        from teaching.models import PlanLesson, TeachingPlan
        from teaching.records import record_of

        started = time.perf_counter()
        _office, school, year = build(1)
        print(f"engine {engine()}; built {TeachingPlan.objects.count()} plans, {PlanLesson.objects.count()} lessons "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        p50, p95, queries = timed(args.runs, lambda: record_of(school=school, school_year=year))
        print(f"school record: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries} queries")
        record = record_of(school=school, school_year=year)
        if args.plans:
            record.plans = record.plans[: args.plans]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        with tempfile.TemporaryFile() as handle:
            entries = archive_write(record, handle)
            size = handle.tell()
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"archive: {len(entries)} files ({len(record.plans)} plans), {size / 1_048_576:.1f} MB zip, "
              f"{seconds:.1f} s ({seconds / max(len(record.plans), 1) * 1000:.0f} ms a plan), "
              f"peak memory {before:.0f} → {after:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
