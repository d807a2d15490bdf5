from decimal import Decimal as D

import pytest

from gradebook.rules import learning_result, semester_average, year_average


@pytest.mark.parametrize(
    "regulars, midterm, end, expected",
    [
        ([D("8"), D("7"), D("9"), D("6")], D("7"), D("8"), D("7.6")),  # (30 + 14 + 24) / 9 = 7.555…
        ([D("5"), D("6")], D("7"), D("6"), D("6.1")),  # (11 + 14 + 18) / 7 = 6.142…
        ([D("5"), None], D("7"), D("6"), D("6.2")),  # a missing regular mark is left out: 37 / 6 = 6.166…
        ([D("9"), D("8"), D("7")], D("6"), D("10"), D("8.3")),  # 66 / 8 = 8.25 exactly: half up
        ([None, None], D("7"), D("6"), None),
        ([D("5")], None, D("6"), None),
    ],
)
def test_semester_average(regulars, midterm, end, expected):
    assert semester_average(regulars, midterm, end) == expected


def test_year_average_rounds_half_up():
    assert year_average(D("6.5"), D("7.0")) == D("6.8")  # 20.5 / 3 = 6.833…
    assert year_average(D("7.0"), None) is None


@pytest.mark.parametrize(
    "averages, comments, expected",
    [
        ([D("8.0")] * 6 + [D("6.5")] * 2, ["D", "D"], "T"),
        ([D("8.0")] * 5 + [D("6.5")] * 3, ["D", "D"], "K"),  # only 5 at 8,0
        ([D("8.0")] * 6 + [D("6.4")] * 2, ["D"], "K"),  # one below 6,5
        ([D("9.0")] * 8, ["D", "CD"], "K"),  # one comment subject not passed: Đạt, adjusted to Khá
        ([D("7.0")] * 8, ["D", "CD"], "D"),  # the same at Khá level: one level down, no adjustment
        ([D("5.0")] * 6 + [D("3.5")] * 2, ["CD"], "D"),
        ([D("5.0")] * 6 + [D("3.4")], ["D"], "CD"),  # one below 3,5
        ([D("9.0")] * 8, ["CD", "CD"], "CD"),
        ([D("4.9")] * 3 + [D("5.0")] * 5, [], "CD"),  # only 5 at 5,0
        ([D("9.0"), None], ["D"], None),
        ([D("9.0")], [""], None),
    ],
)
def test_learning_result_thresholds(averages, comments, expected):
    assert learning_result(averages, comments) == expected
