"""Marks on the 10-point scale, the one way: read what a teacher types, write a mark for people, and
the form field that does both.

Vietnamese marks are written 0–10 with a decimal comma and at most two decimals ("8,5", "8,25", "10").
A teacher may type a comma or a dot; a mark is stored as a Decimal with two places. Assignment grades
(courses), essay marks (materials) and the grade book all read and write marks through here, so "8.5"
typed in one place is never refused in another, and a notification says "8,5/10" wherever it comes from.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SCALE = Decimal(10)
PLACES = 2
STEP = Decimal("0.01")

# Digits with at most one decimal mark (comma or dot), an optional sign. Decimal() alone would also
# take "1e1", "NaN" and "Infinity", which nobody means as a mark.
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def read_number(text) -> Decimal | None:
    """A number as people type it: "3,5", "3.5", " -2 ", "1 000" (spaces as thousands separator).
    None when it is not a number. Used for marks and for the numeric answers of questions."""
    if text is None:
        return None
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned or len(cleaned) > 40 or not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class MarkWords:
    """The three refusals of a mark. Each feature keeps the noun its people use ("grade" of an
    assignment, "mark" of a test), so the messages they see do not change."""

    not_a_number: str
    out_of_range: str
    too_precise: str


MARK_WORDS = MarkWords(
    not_a_number=_("Type the mark as a number from 0 to 10, for example 8,5."),
    out_of_range=_("The mark must be between 0 and 10."),
    too_precise=_("Give the mark with at most two decimals, for example 8,25."),
)


def parse_mark(value, *, words: MarkWords = MARK_WORDS, field: str | None = None) -> Decimal:
    """A mark from what was typed ("8,5", "8.5", "10", or a Decimal): a Decimal with two places.

    Raises ValidationError with the words' message, keyed by `field` when given (a service
    reporting to the form field of that name)."""

    def refuse(message):
        message = str(message)  # translated now, in the language of the person typing
        raise ValidationError({field: [message]} if field else message, code="invalid_mark")

    mark = value if isinstance(value, Decimal) else read_number(value)
    if mark is None or not mark.is_finite():
        refuse(words.not_a_number)
    if mark < 0 or mark > SCALE:
        refuse(words.out_of_range)
    if mark != mark.quantize(STEP):
        refuse(words.too_precise)
    return mark.quantize(STEP)


def mark_text(value) -> str:
    """8.50 → "8,5", 10.00 → "10", None → "": rounded half up to two places, no trailing zeros, never
    grouped, and with a decimal comma in every language, because that is how the 10-point scale is
    written (English pages of a Vietnamese school say "8,5/10" too). Notifications, messages, result
    tables and the mark box all write marks through here; parse_mark reads any of them back."""
    if value is None or value == "":
        return ""
    mark = Decimal(str(value)).quantize(STEP, rounding=ROUND_HALF_UP).normalize()
    return format(mark, "f").replace(".", ",")


class MarkField(forms.CharField):
    """A text box for a mark (not type=number: browsers refuse the Vietnamese "8,5" there); cleans to
    the Decimal of parse_mark. `words` keeps the feature's own refusals."""

    def __init__(self, *, words: MarkWords = MARK_WORDS, **kwargs):
        self.words = words
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "8,5"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        # The text is checked first (required, max_length), then read as a mark.
        text = super().clean(value)
        if text in self.empty_values:
            return None
        return parse_mark(text, words=self.words)

    def prepare_value(self, value):
        # A stored mark is shown back in the box as the placeholder writes it, "8,5" (not "8.50").
        return mark_text(value) if isinstance(value, Decimal) else value
