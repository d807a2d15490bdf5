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
