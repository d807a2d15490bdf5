"""Circular 22/2021 and 27/2020 as the team lead reads them (the "rules" part of issue #16): the year's
conduct derived from the semesters, the adjustment of the learning result, the re-assessment independent of
conduct, promotion, the number of assessments per subject and the primary periodic tests. Pure functions,
tables of worked examples; no database."""

import csv
from decimal import Decimal as D
from pathlib import Path

import pytest

from gradebook import rules as R

T, K, Đ, CĐ = "T", "K", "D", "CD"

# --- the year's conduct: every pair of semester ratings --------------------------------------------------

YEAR_CONDUCT = {
    # (semester I, semester II): year
    (T, T): T,
    (K, T): T,
    (Đ, T): K,
    (CĐ, T): K,
    (T, K): K,
    (K, K): K,
    (Đ, K): K,
    (CĐ, K): Đ,
    (T, Đ): K,
    (K, Đ): Đ,
    (Đ, Đ): Đ,
    (CĐ, Đ): Đ,
    (T, CĐ): CĐ,
    (K, CĐ): CĐ,
    (Đ, CĐ): CĐ,
    (CĐ, CĐ): CĐ,
}


@pytest.mark.parametrize(("first", "second"), list(YEAR_CONDUCT))
def test_year_conduct_full_table(first, second):
    assert R.year_conduct(first, second) == YEAR_CONDUCT[(first, second)]


@pytest.mark.parametrize(("first", "second"), [(None, T), (T, None), ("", K), (None, None), ("X", T)])
def test_year_conduct_unknown_while_a_semester_is_missing(first, second):
    assert R.year_conduct(first, second) is None


def test_after_summer_rating_counts_only_for_a_year_not_passed():
    assert R.needs_summer_training(CĐ) and not R.needs_summer_training(Đ) and not R.needs_summer_training(None)
    assert R.conduct_after_summer(CĐ, Đ) == Đ
    assert R.conduct_after_summer(CĐ, "") is None  # not rated yet
    assert R.conduct_after_summer(K, Đ) is None  # a left-over rating of a year that is not Chưa đạt


# --- the adjustment of the learning result ---------------------------------------------------------------


def marks(*values):
    return [D(v) for v in values]


@pytest.mark.parametrize(
    ("averages", "comments", "expected"),
    [
        # maths 3,0 and every other average ≥ 8: Chưa đạt by the thresholds, Tốt but for maths → Khá
        (marks("3.0", "8.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ, Đ, Đ], K),
        # maths 4,0, the rest ≥ 8: Đạt by the thresholds, Tốt but for maths → Khá
        (marks("4.0", "8.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ, Đ], K),
        # two weak subjects: no single one lifts the result → no adjustment
        (marks("3.0", "3.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ, Đ], CĐ),
        (marks("4.0", "4.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ, Đ], Đ),
        # one comment subject Chưa đạt, the rest at Tốt level: Đạt → Khá
        (marks("8.0", "8.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ, CĐ, Đ], K),
        # a comment subject Chưa đạt and a weak average: two subjects → no adjustment
        (marks("3.0", "8.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ, CĐ], CĐ),
        # Khá but for maths 3,0 → Đạt (not Khá: raised to the level below the one it would reach)
        (marks("3.0", "7.0", "7.0", "7.0", "7.0", "7.0", "7.0", "7.0"), [Đ], Đ),
        # lowered one level only (Tốt → Khá, Khá → Đạt): unchanged
        (marks("6.0", "8.0", "8.5", "9.0", "8.0", "8.2", "8.0", "8.4"), [Đ], K),
        (marks("4.0", "7.0", "7.0", "7.0", "7.0", "7.0", "7.0", "7.0"), [Đ], Đ),
        # Đạt but for one subject: no adjustment below Khá (the rule lifts only Tốt and Khá)
        (marks("3.0", "5.0", "5.0", "5.0", "5.0", "5.0", "5.0", "5.0"), [Đ], CĐ),
        # nothing to adjust at the top
        (marks("8.0", "8.0", "8.0", "8.0", "8.0", "8.0", "6.5"), [Đ], T),
        # a lone subject is not adjusted
        (marks("3.0"), [], CĐ),
        # still unknown while a result is missing
        ([D("3.0"), None, *marks("8.0", "8.0", "8.0", "8.0", "8.0", "8.0")], [Đ], None),
    ],
)
def test_learning_result_with_the_adjustment(averages, comments, expected):
    assert R.learning_result(averages, comments) == expected


def test_the_adjustment_also_applies_after_the_retest():
    averages = {"Toán": D("2.0"), "Ngữ văn": D("3.0"), **{f"M{i}": D("8.5") for i in range(6)}}
    comments = {"Giáo dục thể chất": Đ}
    assert R.learning_result(list(averages.values()), list(comments.values())) == CĐ
    # Ngữ văn re-taken at 8,0: Toán alone keeps the student from Tốt → Khá
    assert R.result_after_retest(averages, comments, {"Ngữ văn": D("8.0")}) == K
    assert R.result_after_retest(averages, comments, {}) is None  # no re-assessment in yet


# --- re-assessment and promotion --------------------------------------------------------------------------


def test_retest_is_independent_of_conduct():
    assert R.needs_retest(CĐ) is True  # even when the year conduct is Chưa đạt too: both apply
    assert R.needs_summer_training(R.year_conduct(T, CĐ)) is True
    assert R.needs_retest(Đ) is False and R.needs_retest(None) is False


@pytest.mark.parametrize(
    ("learning", "conduct", "days", "after_retest", "after_summer", "expected"),
    [
        (K, T, 0, None, None, True),
        (Đ, Đ, 45, None, None, True),  # 45 days: still promoted
        (Đ, Đ, 46, None, None, False),  # more than 45 days, with or without permission
        (T, T, 46, None, None, False),
        (CĐ, T, 0, None, None, None),  # awaiting the re-assessment
        (CĐ, T, 0, Đ, None, True),
        (CĐ, T, 0, CĐ, None, False),
        (K, CĐ, 0, None, None, None),  # awaiting the summer conduct training
        (K, CĐ, 0, None, Đ, True),
        (K, CĐ, 0, None, CĐ, False),
        (CĐ, CĐ, 0, Đ, Đ, True),  # both re-assessments, both passed
        (CĐ, CĐ, 0, CĐ, None, False),  # one failed for good: known already
        (None, T, 0, None, None, None),  # the year result not known yet
        (T, None, 0, None, None, None),  # a semester's conduct missing
        (None, None, 50, None, None, False),
    ],
)
def test_promotion(learning, conduct, days, after_retest, after_summer, expected):
    assert R.promotion(learning, conduct, days, after_retest=after_retest, after_summer=after_summer) is expected


# --- the number of assessments (Circular 22/2021) ----------------------------------------------------------

DATA = Path(R.__file__).resolve().parent / "data"


def _tsv(name):
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


@pytest.mark.parametrize(("periods", "regulars"), [(35, 2), (36, 3), (52, 3), (70, 3), (71, 4), (105, 4), (140, 4)])
def test_regular_assessments_follow_the_periods(periods, regulars):
    from gradebook.models import SubjectRule

    assert SubjectRule(periods_per_year=periods).regular_count == regulars


def test_secondary_programme_table_is_subjects_with_marks_or_comments():
    rows = _tsv("programme_2018_periods.tsv")
    comment_only = {row["subject"] for row in rows if row["assessed_by"] == "comment"}
    assert {"Giáo dục thể chất", "Nghệ thuật (Âm nhạc, Mĩ thuật)", "Hoạt động trải nghiệm, hướng nghiệp"} <= (
        comment_only
    )
    assert "Toán" not in comment_only and "Ngữ văn" not in comment_only
    for row in rows:
        assert int(row["periods_per_year"]) >= 35, row
        assert row["assessed_by"] in ("score", "comment", "with its subject"), row


# --- Circular 27/2020: the primary periodic tests -----------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "subject", "tests"),
    [
        (1, "Tiếng Việt", ("ck",)),
        (3, "Toán", ("ck",)),  # no mid-term test before grade 4
        (4, "Toán", ("gk", "ck")),
        (5, "Tiếng Việt", ("gk", "ck")),
        (4, "Khoa học", ("ck",)),  # mid-term tests only for Tiếng Việt and Toán
        (5, "Lịch sử và Địa lí", ("ck",)),
        (3, "Ngoại ngữ 1", ("ck",)),
        (3, "Tin học và Công nghệ", ("ck",)),
        (4, "Đạo đức", ()),  # assessed by comments only
        (2, "Tự nhiên và Xã hội", ()),
    ],
)
def test_primary_periodic_tests(grade, subject, tests):
    assert R.primary_periodic_tests(grade, subject) == tests


def test_primary_table_agrees_with_the_periodic_tests_rule():
    names = {"none": (), "end": ("ck",), "mid_end": ("gk", "ck")}
    for row in _tsv("primary_2018_periods.tsv"):
        tests = R.primary_periodic_tests(int(row["grade"]), row["subject"])
        assert names[row["periodic_tests"]] == tests, row
        assert (row["assessed_by"] == "score") == bool(tests), row


# --- Circular 27/2020: the end-of-year result, at each boundary ---------------------------------------------

GOOD_RATINGS = ["T"] * len(R.COMPETENCE_ITEMS)


@pytest.mark.parametrize(
    ("levels", "ratings", "tests", "expected"),
    [
        (["HTT", "HTT"], GOOD_RATINGS, [D("9"), D("9")], "HXS"),  # 9 is enough for Hoàn thành xuất sắc
        (["HTT", "HTT"], GOOD_RATINGS, [D("7"), D("9")], "HTT"),  # 7 is enough for Hoàn thành tốt
        (["HTT", "HTT"], GOOD_RATINGS, [D("6"), D("10")], "HT"),  # below 7: Hoàn thành
        (["HTT", "HTT"], ["D", *GOOD_RATINGS[1:]], [D("10"), D("10")], "HT"),  # one rating Đạt
        (["HT", "HTT"], ["D"] * len(GOOD_RATINGS), [D("5"), D("5")], "HT"),  # 5 is enough for Hoàn thành
        (["HT", "HTT"], ["D"] * len(GOOD_RATINGS), [D("4"), D("10")], "CHT"),
        (["HTT", "CHT"], GOOD_RATINGS, [D("10"), D("10")], "CHT"),  # one subject Chưa hoàn thành
        (["HTT"], GOOD_RATINGS, [], "HXS"),  # subjects without periodic tests: levels and ratings decide
        (["HTT"], [], [D("9")], None),  # the ratings not set yet
    ],
)
def test_primary_year_result_boundaries(levels, ratings, tests, expected):
    assert R.primary_year_result(levels, ratings, tests) == expected
