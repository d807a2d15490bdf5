"""Marks on the 10-point scale, the one way (truonghoc.marks): read, write, and the form field."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from truonghoc.marks import MARK_WORDS, MarkField, MarkWords, mark_text, parse_mark, read_number


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "mark"),
    [
        ("8,5", Decimal("8.50")),
        ("8.5", Decimal("8.50")),
        ("10", Decimal("10.00")),
        ("0", Decimal("0.00")),
        (" 7,25 ", Decimal("7.25")),
        (Decimal("9.5"), Decimal("9.50")),
        (8, Decimal("8.00")),
    ],
)
def test_a_mark_is_read_with_a_comma_or_a_dot(typed, mark):
    value = parse_mark(typed)
    assert value == mark and value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", MARK_WORDS.out_of_range),
        ("10,5", MARK_WORDS.out_of_range),
        ("8,125", MARK_WORDS.too_precise),
        ("abc", MARK_WORDS.not_a_number),
        ("", MARK_WORDS.not_a_number),
        (None, MARK_WORDS.not_a_number),
        ("1e1", MARK_WORDS.not_a_number),  # Decimal() would take it as 10
        ("NaN", MARK_WORDS.not_a_number),
        ("8,5,1", MARK_WORDS.not_a_number),
    ],
)
def test_a_mark_out_of_range_or_not_a_number_is_refused_with_its_words(typed, message):
    with pytest.raises(ValidationError) as refused:
        parse_mark(typed)
    assert refused.value.messages == [str(message)]


def test_a_service_names_the_field_and_keeps_its_own_words():
    words = MarkWords(not_a_number="not a grade", out_of_range="0 to 10 only", too_precise="two decimals")
    with pytest.raises(ValidationError) as refused:
        parse_mark("11", words=words, field="grade")
    assert refused.value.message_dict == {"grade": ["0 to 10 only"]}


def test_read_number_takes_what_people_type():
    assert read_number("1 000") == Decimal(1000)
    assert read_number("-2") == Decimal(-2)
    assert read_number(",5") == Decimal("0.5")
    assert read_number("x") is None and read_number(None) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("8.50"), "8,5"),
        (Decimal("10.00"), "10"),
        (Decimal("0.25"), "0,25"),
        (Decimal("7"), "7"),
        (Decimal("8.255"), "8,26"),  # half up, as on paper
        (Decimal("10"), "10"),  # never "1E+1"
        (None, ""),
    ],
)
def test_a_mark_is_written_with_the_vietnamese_decimal_comma_and_no_trailing_zeros(value, text):
    assert mark_text(value) == text  # English pages too: the scale is written with a comma


class _Form(forms.Form):
    mark = MarkField(label="Mark")
    optional = MarkField(label="Optional", required=False)


def test_the_field_cleans_to_a_decimal_and_shows_a_stored_mark_as_people_write_it():
    form = _Form({"mark": "8,5", "optional": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"mark": Decimal("8.50"), "optional": None}
    assert 'value="8,5"' in str(_Form(initial={"mark": Decimal("8.50")})["mark"])  # in English too
    assert 'value="10"' in str(_Form(initial={"mark": Decimal("10.00")})["mark"])


def test_the_field_refuses_with_the_message_and_checks_length_first():
    form = _Form({"mark": "11"})
    assert form.errors["mark"] == [str(MARK_WORDS.out_of_range)]
    form = _Form({"mark": "1" * 11})
    assert not form.is_valid() and "at most 10 characters" in form.errors["mark"][0]
