"""Issue #14, point 6: what a student or a searcher types in materials never gives a 500: an option index
or a grade written with digits int() refuses ("²") or reads silently ("١") is not an answer."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from materials.models import QuestionType
from materials.selectors.library import grade_from_words
from materials.services.attempts import clean_response


def test_lop_followed_by_a_superscript_two_is_two_words_not_a_crash():
    assert grade_from_words(["lop", "²", "phan", "so"]) == (None, ["lop", "²", "phan", "so"])
    assert grade_from_words(["lop", "١", "so"]) == (None, ["lop", "١", "so"])
    assert grade_from_words(["phan", "so", "lop", "6"]) == (6, ["phan", "so"])


@pytest.mark.parametrize("posted", ["²", "١", "9" * 30, "-1", "4"])
def test_a_single_choice_answer_that_is_not_an_option_index_is_refused_with_the_message(posted):
    question = SimpleNamespace(type=QuestionType.SINGLE, options=["a", "b", "c", "d"])
    with pytest.raises(ValidationError):
        clean_response(question, posted)
    assert clean_response(question, " 2 ") == 2


def test_a_multiple_choice_answer_with_a_superscript_digit_is_refused():
    question = SimpleNamespace(type=QuestionType.MULTIPLE, options=["a", "b", "c", "d"])
    with pytest.raises(ValidationError):
        clean_response(question, ["1", "²"])
    assert clean_response(question, ["3", "1"]) == [1, 3]
