"""Worked examples and edge cases of the regulations' rules (gradebook.rules), beyond the core averages."""

from decimal import Decimal as D

import pytest

from gradebook import rules as R


@pytest.mark.parametrize(
    "levels, expected_count, expected",
    [
        (["D", "D", "D", "D", "D"], 5, "D"),  # every assessment Đạt
        (["D", "D", "D", "CD", "D"], 5, "CD"),  # one regular Chưa đạt
        (["D", "D", "D", "D", "CD"], 5, "CD"),  # end-of-term Chưa đạt
        (["D", "", "D", "D", "D"], 5, None),  # a missing assessment: not known yet
        (["D", "D", "D", "D"], 4, "D"),  # a subject of 35 periods: 2 ĐĐGtx + gk + ck
    ],
)
def test_comment_semester_result(levels, expected_count, expected):
    assert R.comment_semester_result(levels, expected_count) == expected


def test_comment_year_result_follows_semester_two():
    assert R.comment_year_result("CD", "D") == "D"
    assert R.comment_year_result("D", "CD") == "CD"
    assert R.comment_year_result("D", None) is None


def six(value):
    return [D(value)] * 6


@pytest.mark.parametrize(
    "averages, comments, expected",
    [
        ([*six("8.0"), D("6.5")], ["D", "D"], "T"),
        ([*six("8.0"), D("6.4")], ["D", "D"], "K"),  # one below 6,5: not Tốt
        (six("8.0"), ["D", "CD"], "K"),  # a comment subject Chưa đạt: Đạt, adjusted to Khá (one subject)
        ([*six("5.0"), D("3.5")], ["D"], "D"),
        ([*six("5.0"), D("3.4")], ["D"], "CD"),  # one below 3,5
        (six("8.0"), ["CD", "CD"], "CD"),  # two comment subjects Chưa đạt
        ([*six("8.0"), None], ["D"], None),  # a missing average
        ([D("9")], ["D"], "T"),  # fewer than six marked subjects: all of them
    ],
)
def test_learning_result_table(averages, comments, expected):
    assert R.learning_result(averages, comments) == expected


def test_year_average_rounding_at_x_x5():
    # (6,0 + 2 × 7,1) / 3 = 20,2 / 3 = 6,7333 → 6,7 ; (7,3 + 2 × 7,6) / 3 = 22,5 / 3 = 7,5 exactly
    assert R.year_average(D("6.0"), D("7.1")) == D("6.7")
    assert R.year_average(D("7.3"), D("7.6")) == D("7.5")
    assert R.round_mark(D("6.45")) == D("6.5")
    assert R.round_mark(D("6.449")) == D("6.4")


@pytest.mark.parametrize("count", [2, 3, 4])
def test_semester_average_with_two_three_four_regulars(count):
    regulars = [D("6")] * count
    # (6n + 2×7 + 3×8) / (n + 5)
    expected = R.round_mark((D(6) * count + 14 + 24) / (count + 5))
    assert R.semester_average(regulars, D("7"), D("8")) == expected


def test_retest_subjects_and_result_after_retest():
    averages = {"Toán": D("4.2"), "Ngữ văn": D("6.0"), **{f"M{i}": D("6.0") for i in range(5)}}
    comments = {"Giáo dục thể chất": "CD", "Nghệ thuật": "CD"}
    year = R.learning_result(list(averages.values()), list(comments.values()))
    assert year == "CD"
    assert R.needs_retest(year) is True  # whatever the conduct (art. 12): see test_rules_c22.py
    assert R.needs_retest("D") is False
    assert R.retest_subjects(averages, comments) == ["Giáo dục thể chất", "Nghệ thuật", "Toán"]
    # the retest mark replaces ĐTBmcn, the retest level the year result
    assert R.result_after_retest(averages, comments, {"Toán": D("5.5"), "Nghệ thuật": "D"}) == "D"
    assert R.result_after_retest(averages, comments, {"Toán": D("3.0"), "Nghệ thuật": "D"}) == "CD"


@pytest.mark.parametrize(
    "value, ok",
    [(D("1"), True), (D("10"), True), (D("7"), True), (D("0"), False), (D("7.5"), False), (D("11"), False)],
)
def test_primary_test_marks_are_whole_1_to_10(value, ok):
    assert R.is_primary_test_mark(value) is ok


GOOD_RATINGS = ["T"] * len(R.COMPETENCE_ITEMS)


@pytest.mark.parametrize(
    "levels, ratings, tests, expected",
    [
        (["HTT", "HTT"], GOOD_RATINGS, [D("9"), D("10")], "HXS"),
        (["HTT", "HTT"], GOOD_RATINGS, [D("8"), D("10")], "HTT"),  # a test below 9
        (["HTT", "HT"], GOOD_RATINGS, [D("9"), D("10")], "HT"),  # a subject Hoàn thành
        (["HTT", "HTT"], ["D", *GOOD_RATINGS[1:]], [D("10"), D("10")], "HT"),  # a rating Đạt
        (["HT", "HT"], GOOD_RATINGS, [D("5"), D("6")], "HT"),
        (["HT", "HT"], GOOD_RATINGS, [D("4"), D("6")], "CHT"),  # a test below 5
        (["HT", "CHT"], GOOD_RATINGS, [D("9"), D("9")], "CHT"),
        (["HT", "HT"], ["C", *GOOD_RATINGS[1:]], [D("9"), D("9")], "CHT"),  # Cần cố gắng
        (["HT", ""], GOOD_RATINGS, [D("9"), D("9")], None),  # a missing level
        (["HT", "HT"], GOOD_RATINGS, [D("9"), None], None),  # a missing test
    ],
)
def test_primary_year_result(levels, ratings, tests, expected):
    assert R.primary_year_result(levels, ratings, tests) == expected
