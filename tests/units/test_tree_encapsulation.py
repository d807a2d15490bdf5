"""Only `units` knows how the tree is stored and reads the raw roles: other apps (and the benchmarks)
use Unit.objects.below/children/schools_under, units.selectors.in_subtree_q and the path helpers,
people_holding / units_where / has_role / scope / can. This guard keeps it so."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelling the storage or the raw role rows out (`steplen`: the width of one step of a path).
FORBIDDEN = re.compile(r"path__startswith|\brole_rows\(|_role_rows_cache|\bsteplen\b")
SKIPPED_DIRS = {"units", "tests", "migrations", "node_modules", "static", "templates", "locale", "locale_thirdparty"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or any(part in SKIPPED_DIRS for part in parts):
            continue
        yield path


def test_no_app_outside_units_spells_the_tree_or_reads_raw_roles():
    offending = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert not offending, "use the tree API of units (units/README.md):\n" + "\n".join(offending)


def test_the_guard_sees_the_apps():
    scanned = {path.relative_to(ROOT).parts[0] for path in _sources()}
    assert {"accounts", "courses", "materials", "publications", "reports", "bench"} <= scanned
