"""The regulations' arithmetic, as pure functions: nothing here reads the database, so the formulas and
thresholds are tested on tables of worked examples.

Circular 22/2021 (secondary), art. 9:
- ĐTBmhk = (sum of ĐĐGtx + 2 × ĐĐGgk + 3 × ĐĐGck) / (number of ĐĐGtx + 5), rounded to one decimal;
- ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3, rounded to one decimal.
Rounding is half up (8,25 → 8,3), as the regulation's worked examples and schools' spreadsheets do.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def round_mark(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def semester_average(
    regulars: Sequence[Decimal | None], midterm: Decimal | None, end: Decimal | None
) -> Decimal | None:
    """ĐTBmhk from a semester's marks; None while the mid-term or end-of-term mark or every regular mark is
    missing (an average of part of the marks would be shown as if it were the result). Empty regular
    columns are left out of the count: a student who missed a regular assessment is averaged on the ones
    they have."""
    present = [mark for mark in regulars if mark is not None]
    if midterm is None or end is None or not present:
        return None
    total = sum(present, Decimal(0)) + 2 * midterm + 3 * end
    return round_mark(total / (len(present) + 5))


def year_average(first: Decimal | None, second: Decimal | None) -> Decimal | None:
    """ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3; None while either semester's average is missing."""
    if first is None or second is None:
        return None
    return round_mark((first + 2 * second) / 3)


# Learning result per semester or year (Circular 22, art. 9): from the averages of the subjects assessed by
# marks and the results (Đạt / Chưa đạt) of those assessed by comments, exempt subjects left out.
GOOD, FAIR, PASS, FAIL = "T", "K", "D", "CD"  # gradebook.models.Rating values
SUBJECTS_AT_THE_TOP = 6


def learning_result(averages: Sequence[Decimal | None], comment_results: Sequence[str]) -> str | None:
    """Tốt / Khá / Đạt / Chưa đạt from the marked subjects' averages and the comment subjects' results
    ("D"/"CD"); None while an average or a comment result is missing (the result is not known yet).

    - Tốt: every comment subject Đạt; every average ≥ 6,5 and at least 6 of them ≥ 8,0.
    - Khá: every comment subject Đạt; every average ≥ 5,0 and at least 6 of them ≥ 6,5.
    - Đạt: at most one comment subject Chưa đạt; at least 6 averages ≥ 5,0 and none below 3,5.
    - Chưa đạt: otherwise.
    With fewer than 6 marked subjects, "at least 6" reads "all of them"."""
    if any(value is None for value in averages) or any(not result for result in comment_results):
        return None
    top = min(SUBJECTS_AT_THE_TOP, len(averages))
    comments_all_passed = all(result == PASS for result in comment_results)
    if comments_all_passed and all(v >= Decimal("6.5") for v in averages) and sum(v >= 8 for v in averages) >= top:
        return GOOD
    if comments_all_passed and all(v >= 5 for v in averages) and sum(v >= Decimal("6.5") for v in averages) >= top:
        return FAIR
    failed_comments = sum(result != PASS for result in comment_results)
    if failed_comments <= 1 and sum(v >= 5 for v in averages) >= top and all(v >= Decimal("3.5") for v in averages):
        return PASS
    return FAIL
