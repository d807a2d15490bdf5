"""The regulations' arithmetic, as pure functions: nothing here reads the database, so the formulas and
thresholds are tested on tables of worked examples (tests/gradebook/test_rules*.py).

Circular 22/2021 (secondary), art. 9:
- ĐTBmhk = (sum of ĐĐGtx + 2 × ĐĐGgk + 3 × ĐĐGck) / (number of ĐĐGtx + 5), rounded to one decimal;
- ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3, rounded to one decimal;
- the learning result's thresholds and the adjustment when one subject pulls it down (`learning_result`);
- a comment subject's semester and year results (art. 9.1);
Circular 22/2021, conduct: the year's conduct derived from the semesters' (`year_conduct`) and the rating
after summer training; art. 12: the re-assessment after the summer (`needs_retest`, `retest_subjects`,
`result_after_retest`); promotion (`promotion`).
Circular 27/2020 (primary): periodic tests (`primary_periodic_tests`, `is_primary_test_mark`) and the
end-of-year result (`primary_year_result`).
Rounding is half up (8,25 → 8,3), as the regulation's worked examples and schools' spreadsheets do.

The texts could not be fetched when these were written: the rules follow the team lead's reading of the
Circulars; an article number is given only where the code already cited it.
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


def _threshold_result(averages: Sequence[Decimal], comment_results: Sequence[str]) -> str:
    """The thresholds alone (see `learning_result`), on complete inputs."""
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


LEVEL_ORDER = {FAIL: 0, PASS: 1, FAIR: 2, GOOD: 3}
BEST_MARK = Decimal(10)


def learning_result(averages: Sequence[Decimal | None], comment_results: Sequence[str]) -> str | None:
    """Tốt / Khá / Đạt / Chưa đạt from the marked subjects' averages and the comment subjects' results
    ("D"/"CD") of a semester or the year (Circular 22/2021, art. 9); None while an average or a comment
    result is missing (the result is not known yet).

    - Tốt: every comment subject Đạt; every average ≥ 6,5 and at least 6 of them ≥ 8,0.
    - Khá: every comment subject Đạt; every average ≥ 5,0 and at least 6 of them ≥ 6,5.
    - Đạt: at most one comment subject Chưa đạt; at least 6 averages ≥ 5,0 and none below 3,5.
    - Chưa đạt: otherwise.
    With fewer than 6 marked subjects, "at least 6" reads "all of them".

    Then the adjustment of the level (Circular 22/2021, "điều chỉnh mức đánh giá", as the team reads it;
    see `adjusted_level`): a result pulled down two levels or more by ONE subject is raised to the level
    just below the one the other subjects reach."""
    if any(value is None for value in averages) or any(not result for result in comment_results):
        return None
    return adjusted_level(list(averages), list(comment_results))


def adjusted_level(averages: list[Decimal], comment_results: list[str]) -> str:
    """The threshold result, adjusted when ONE subject lowers it by two levels or more: each subject in
    turn is counted as meeting every threshold (average 10, or Đạt); if that alone gives Tốt while the real
    result is Đạt or Chưa đạt, the result is Khá; if it gives Khá while the real result is Chưa đạt, it is
    Đạt. The best of these wins. Two weak subjects are never adjusted (no single one lifts the result)."""
    real = _threshold_result(averages, comment_results)
    best = real
    if len(averages) + len(comment_results) < 2:
        return real  # a lone subject is not "one subject among the others"
    candidates = [([*averages[:i], BEST_MARK, *averages[i + 1 :]], comment_results) for i in range(len(averages))]
    candidates += [
        (averages, [*comment_results[:i], PASS, *comment_results[i + 1 :]]) for i in range(len(comment_results))
    ]
    for marks, comments in candidates:
        would_be = _threshold_result(marks, comments)
        if would_be == GOOD and real in (PASS, FAIL):
            raised = FAIR
        elif would_be == FAIR and real == FAIL:
            raised = PASS
        else:
            continue
        if LEVEL_ORDER[raised] > LEVEL_ORDER[best]:
            best = raised
    return best


# --- Circular 22/2021, conduct (rèn luyện) ------------------------------------------------------------------


def year_conduct(first: str | None, second: str | None) -> str | None:
    """The year's conduct (rèn luyện cả năm), derived from the two semesters' (Circular 22/2021, conduct
    of the school year), never typed:
    - Tốt: semester II Tốt and semester I Khá or better;
    - Khá: semester II Khá and semester I Đạt or better; or semester II Đạt and semester I Tốt; or
      semester II Tốt and semester I Đạt or Chưa đạt;
    - Đạt: semester II Đạt and semester I Khá, Đạt or Chưa đạt; or semester II Khá and semester I Chưa đạt;
    - Chưa đạt: otherwise (semester II Chưa đạt).
    None while either semester's conduct is missing."""
    if first not in LEVEL_ORDER or second not in LEVEL_ORDER:
        return None
    one, two = LEVEL_ORDER[first], LEVEL_ORDER[second]
    if two == LEVEL_ORDER[GOOD]:
        return GOOD if one >= LEVEL_ORDER[FAIR] else FAIR
    if two == LEVEL_ORDER[FAIR]:
        return FAIR if one >= LEVEL_ORDER[PASS] else PASS
    if two == LEVEL_ORDER[PASS]:
        return FAIR if one == LEVEL_ORDER[GOOD] else PASS
    return FAIL


def needs_summer_training(conduct_of_year: str | None) -> bool:
    """Circular 22/2021, the re-assessment after summer conduct training: a student whose year conduct is
    Chưa đạt trains in the summer and is rated again (the homeroom teacher's "after summer training"
    rating, `classbook.conduct_set` with the whole year)."""
    return conduct_of_year == FAIL


def conduct_after_summer(conduct_of_year: str | None, after_summer: str | None) -> str | None:
    """The after-summer-training rating, which counts only for a student whose derived year conduct is
    Chưa đạt (a rating left from before a semester's conduct changed is ignored)."""
    return (after_summer or None) if needs_summer_training(conduct_of_year) else None


# --- Circular 22/2021, the rest of art. 9 and the re-assessment (art. 12) ---------------------------------
# Written from the Circular's text as the team knows it: the text itself could not be fetched while this was
# written (see the report of the "rules" part of issue #16); each rule names its article and point.

NOT_PASSED = "CD"


def comment_semester_result(levels: Sequence[str], expected_count: int) -> str | None:
    """A comment-only subject's semester result (art. 9.1.a): Đạt when the student has every assessment the
    Circular asks for (the ĐĐGtx of the subject, one ĐĐGgk, one ĐĐGck: `expected_count` levels) and all of
    them are Đạt; Chưa đạt otherwise. None while an assessment is still missing (not known yet)."""
    present = [level for level in levels if level]
    if len(present) < expected_count:
        return None
    return PASS if all(level == PASS for level in present) else NOT_PASSED


def comment_year_result(first: str | None, second: str | None) -> str | None:
    """A comment-only subject's year result (art. 9.1.b): the second semester's result (Đạt when semester
    II is Đạt, Chưa đạt otherwise); None while semester II is not known."""
    return second or None


def needs_retest(year_result: str | None) -> bool:
    """Art. 12: a student whose year learning result is Chưa đạt re-takes assessments after the summer.
    Independent of conduct: a student whose year conduct is Chưa đạt also trains in the summer
    (`needs_summer_training`); both can apply."""
    return year_result == FAIL


def retest_subjects(year_averages: dict[str, Decimal | None], year_comments: dict[str, str | None]) -> list[str]:
    """Art. 12.1: the subjects to re-take: marked subjects with ĐTBmcn below 5,0 and comment subjects
    Chưa đạt (exempt subjects are not in the dicts)."""
    marked = [name for name, avg in year_averages.items() if avg is not None and avg < 5]
    commented = [name for name, result in year_comments.items() if result == NOT_PASSED]
    return sorted(marked + commented)


def result_after_retest(
    year_averages: dict[str, Decimal | None],
    year_comments: dict[str, str | None],
    retests: dict[str, Decimal | str],
) -> str | None:
    """Art. 12: the year learning result recomputed with each re-taken subject's retest mark (or Đạt /
    Chưa đạt) in place of its ĐTBmcn (or year result). None while no re-assessment is in."""
    averages = dict(year_averages)
    comments = dict(year_comments)
    taken = False
    for subject, retest in retests.items():
        if subject in averages and isinstance(retest, Decimal):
            averages[subject] = retest
            taken = True
        elif subject in comments and isinstance(retest, str) and retest:
            comments[subject] = retest
            taken = True
    if not taken:
        return None
    return learning_result(list(averages.values()), list(comments.values()))


# --- Circular 22/2021, promotion (lên lớp) ------------------------------------------------------------------

MAX_ABSENT_DAYS = 45


def promotion(
    year_learning: str | None,
    conduct_of_year: str | None,
    absent_days: int,
    *,
    after_retest: str | None = None,
    after_summer: str | None = None,
) -> bool | None:
    """Circular 22/2021, promotion (lên lớp), as the team reads it: promoted when the year learning result
    (after the re-assessment when it was Chưa đạt) is Đạt or better, the year conduct (after summer
    training when it was Chưa đạt) is Đạt or better, and the student missed at most 45 days (buổi) of the
    year, with or without permission. False as soon as one condition fails for good (more than 45 days, a
    re-assessment or a summer training ending Chưa đạt); None while a result, a conduct rating, a
    re-assessment or a summer rating is still awaited."""
    if absent_days > MAX_ABSENT_DAYS:
        return False
    learning = (after_retest or None) if year_learning == FAIL else year_learning
    conduct = conduct_after_summer(conduct_of_year, after_summer) if conduct_of_year == FAIL else conduct_of_year
    if learning == FAIL or conduct == FAIL:
        return False
    if not learning or not conduct:
        return None
    return True


# --- Circular 27/2020, primary ------------------------------------------------------------------------------

# Art. 7.2: a periodic test is marked on the 10-point scale, whole marks only, never 0.
PRIMARY_TEST_MIN, PRIMARY_TEST_MAX = 1, 10

EXCELLENT, COMPLETED, NOT_COMPLETED = "HTT", "HT", "CHT"  # subject levels (art. 6.1.b)
QUALITY_GOOD, QUALITY_PASS, QUALITY_TRY = "T", "D", "C"  # qualities and competences (art. 6.2.b)
OUTSTANDING = "HXS"  # year result Hoàn thành xuất sắc (art. 9.2)

# Art. 6.2: the five qualities and the ten competences (three general, seven specific) the 2018 programme names.
COMPETENCE_ITEMS = (
    ("pc_yeu_nuoc", "Yêu nước"),
    ("pc_nhan_ai", "Nhân ái"),
    ("pc_cham_chi", "Chăm chỉ"),
    ("pc_trung_thuc", "Trung thực"),
    ("pc_trach_nhiem", "Trách nhiệm"),
    ("nl_tu_chu", "Tự chủ và tự học"),
    ("nl_giao_tiep", "Giao tiếp và hợp tác"),
    ("nl_giai_quyet", "Giải quyết vấn đề và sáng tạo"),
    ("nl_ngon_ngu", "Ngôn ngữ"),
    ("nl_tinh_toan", "Tính toán"),
    ("nl_khoa_hoc", "Khoa học"),
    ("nl_cong_nghe", "Công nghệ"),
    ("nl_tin_hoc", "Tin học"),
    ("nl_tham_mi", "Thẩm mĩ"),
    ("nl_the_chat", "Thể chất"),
)


# Periodic tests (bài kiểm tra định kì): at the end of semester I and of the year in these subjects (in the
# grades that have them); mid-term tests (mid-semester I and II) only in grades 4 and 5, Tiếng Việt and Toán.
PRIMARY_TEST_SUBJECTS = frozenset(
    {"Tiếng Việt", "Toán", "Ngoại ngữ 1", "Lịch sử và Địa lí", "Khoa học", "Tin học và Công nghệ"}
)
PRIMARY_MIDTERM_SUBJECTS = frozenset({"Tiếng Việt", "Toán"})
PRIMARY_MIDTERM_GRADES = frozenset({4, 5})
MIDTERM_TEST, END_TEST = "gk", "ck"  # gradebook.models.MarkKind values


def primary_periodic_tests(grade: int, subject: str) -> tuple[str, ...]:
    """Circular 27/2020, periodic tests: the test columns a primary subject has in each semester — the
    end-of-term test ("ck": end of semester I, end of the year) for the tested subjects, plus the mid-term
    test ("gk") for Tiếng Việt and Toán in grades 4 and 5; () for a subject assessed by comments only."""
    if subject not in PRIMARY_TEST_SUBJECTS:
        return ()
    if grade in PRIMARY_MIDTERM_GRADES and subject in PRIMARY_MIDTERM_SUBJECTS:
        return (MIDTERM_TEST, END_TEST)
    return (END_TEST,)


def is_primary_test_mark(value: Decimal) -> bool:
    """Art. 7.2: a whole mark from 1 to 10 (no 0, no decimals)."""
    return value == value.to_integral_value() and PRIMARY_TEST_MIN <= value <= PRIMARY_TEST_MAX


def primary_year_result(
    subject_levels: Sequence[str], ratings: Sequence[str], end_of_year_tests: Sequence[Decimal | None]
) -> str | None:
    """Art. 9.2 (the end-of-year result of a primary student), from the subjects' year levels, the
    qualities' and competences' year ratings and the end-of-year periodic test marks:
    - Hoàn thành xuất sắc: every subject Hoàn thành tốt, every quality and competence Tốt, every
      end-of-year test 9 or more;
    - Hoàn thành tốt: not the above, every subject Hoàn thành tốt, every rating Tốt, every test 7 or more;
    - Hoàn thành: not the above, every subject Hoàn thành tốt or Hoàn thành, every rating Tốt or Đạt,
      every test 5 or more;
    - Chưa hoàn thành: otherwise.
    None while a level, a rating or a test mark is missing."""
    if not subject_levels or not ratings:
        return None
    if any(not v for v in subject_levels) or any(not r for r in ratings) or any(t is None for t in end_of_year_tests):
        return None
    all_excellent = all(v == EXCELLENT for v in subject_levels) and all(r == QUALITY_GOOD for r in ratings)
    if all_excellent and all(t >= 9 for t in end_of_year_tests):
        return OUTSTANDING
    if all_excellent and all(t >= 7 for t in end_of_year_tests):
        return EXCELLENT
    if (
        all(v in (EXCELLENT, COMPLETED) for v in subject_levels)
        and all(r in (QUALITY_GOOD, QUALITY_PASS) for r in ratings)
        and all(t >= 5 for t in end_of_year_tests)
    ):
        return COMPLETED
    return NOT_COMPLETED
