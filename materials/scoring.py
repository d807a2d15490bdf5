"""Grading objective answers, and the 10-point score of an attempt. Pure functions: no database.

Every question of a test weighs the same; a question earns a credit between 0 and 1:
- single choice: 1 for the correct option;
- multiple choice: 1 only for exactly the set of correct options (no partial credit: guessing every
  option must not pay);
- true/false with four statements (the 2018-curriculum format, Bộ GD&ĐT 2025 exam rules): 1 statement
  right earns 0.1, 2 earn 0.25, 3 earn 0.5, all 4 earn 1;
- numeric: 1 when the number typed is within the tolerance of the answer ("3,5" and "3.5" both read);
- essay: graded by the teacher (None here).
"""

from decimal import ROUND_HALF_UP, Decimal

from truonghoc.marks import read_number

from .models.questions import QuestionType

TRUE_FALSE_CREDIT = {0: Decimal("0"), 1: Decimal("0.1"), 2: Decimal("0.25"), 3: Decimal("0.5"), 4: Decimal("1")}
TEN = Decimal(10)


# A number as a student types it ("3,5", "3.5", " -2 ", "1 000"), None otherwise: the same reader as
# marks (truonghoc.marks), so a numeric answer and a teacher's mark accept the same writing.
parse_number = read_number


def number_text(value, *, decimal_mark: str = ",") -> str:
    """The inverse of parse_number: a stored number as people write it, "8,5", "10", "0,25" (no trailing
    zeros, never grouped: "1.000" would read back as one in English). "" for None."""
    if value in (None, ""):
        return ""
    return format(Decimal(value).normalize(), "f").replace(".", decimal_mark)


def correct_indexes(options: list[dict]) -> list[int]:
    return [i for i, option in enumerate(options) if option.get("correct")]


def credit_for(*, type: str, options: list[dict], numeric_answer, tolerance, response) -> Decimal | None:
    """The credit (0–1) an answer earns, or None for an essay (the teacher grades it). An answer left
    blank earns 0."""
    if type == QuestionType.ESSAY:
        return None
    if response is None or response == "" or response == []:
        return Decimal(0)
    if type == QuestionType.SINGLE:
        return Decimal(1) if isinstance(response, int) and response in correct_indexes(options) else Decimal(0)
    if type == QuestionType.MULTIPLE:
        if not isinstance(response, list):
            return Decimal(0)
        return Decimal(1) if sorted(set(response)) == correct_indexes(options) else Decimal(0)
    if type == QuestionType.TRUE_FALSE:
        if not isinstance(response, list):
            return Decimal(0)
        right = sum(
            1
            for i, option in enumerate(options)
            if i < len(response) and response[i] is not None and bool(response[i]) == bool(option.get("correct"))
        )
        return TRUE_FALSE_CREDIT[min(right, 4)]
    if type == QuestionType.NUMERIC:
        value = parse_number(response)
        if value is None or numeric_answer is None:
            return Decimal(0)
        return Decimal(1) if abs(value - Decimal(numeric_answer)) <= Decimal(tolerance or 0) else Decimal(0)
    raise ValueError(f"unknown question type {type!r}")


def question_credit(question, response) -> Decimal | None:
    return credit_for(
        type=question.type,
        options=question.options,
        numeric_answer=question.numeric_answer,
        tolerance=question.tolerance,
        response=response,
    )


def score_on_ten(credits) -> Decimal:
    """The 10-point score from every question's credit (None counts as 0: an essay not graded yet),
    rounded half up to two decimals."""
    credits = list(credits)
    if not credits:
        return Decimal(0)
    total = sum((c or Decimal(0)) for c in credits)
    return (TEN * total / len(credits)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def points_of(credit: Decimal, count: int) -> Decimal:
    """What one question's credit is worth on the 10-point scale in a test of `count` questions."""
    return (TEN * Decimal(credit) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
