"""The one check of names at entry (truonghoc.text.refuse_formula_or_bidi): a name a spreadsheet would
run as a formula, or one holding bidi controls, is refused before any export sees it (issue #14)."""

import pytest
from django.core.exceptions import ValidationError

from truonghoc.text import BIDI_CONTROLS, formula_or_bidi_problem, refuse_formula_or_bidi


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://x.example","Bấm")',
        "+84912345678",
        "-2+3",
        "@SUM(A1:A9)",
        "   =1+1",  # spaces in front hide nothing
        "\tNguyễn Văn An",
        "\rNguyễn Văn An",
    ],
)
def test_a_formula_start_is_refused(value, in_english):
    with pytest.raises(ValidationError) as caught:
        refuse_formula_or_bidi(value)
    assert caught.value.code == "unsafe_name"
    assert "formula" in caught.value.messages[0]


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_every_bidi_control_is_refused(control, in_english):
    with pytest.raises(ValidationError) as caught:
        refuse_formula_or_bidi(f"Nguyễn {control}Văn An")
    assert "text-direction" in caught.value.messages[0]


def test_the_listed_bidi_controls_are_all_there():
    expected = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]}
    assert expected == BIDI_CONTROLS


@pytest.mark.parametrize(
    "value", ["Nguyễn Văn An", "Lê Thị-Hoa", "Trường THCS Trần Phú", "6A1", "Tổ Toán – Tin", "A+ Toán", "", None]
)
def test_ordinary_names_pass(value):
    refuse_formula_or_bidi(value)
    assert formula_or_bidi_problem(value) is None


def test_the_message_is_vietnamese_by_default():
    with pytest.raises(ValidationError) as caught:
        refuse_formula_or_bidi("=1+1")
    assert "công thức" in caught.value.messages[0]
