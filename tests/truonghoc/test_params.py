"""Issue #14, point 6: ids and numbers typed by people go through truonghoc.params (and path ids through
the `id` converter); search text through text.search_text. Nothing a person types gives a 500."""

import pytest
from django import forms
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from truonghoc.forms import IdMultipleChoiceField, SearchField
from truonghoc.paging import page_number
from truonghoc.params import ID_MAX, parse_id, parse_ids, parse_int
from truonghoc.text import search_text
from units.models import Unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (5, 5),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),  # past the BIGINT
        ("1" * 30, None),
        ("0", None),
        ("-1", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("١٢", None),  # Arabic-Indic digits: int() would read 12
        ("1e3", None),
        ("abc", None),
        ("", None),
        (None, None),
        (True, None),
        ("1\x00", None),
    ],
)
def test_parse_id_takes_ascii_digits_within_a_bigint(value, expected):
    assert parse_id(value) == expected


def test_parse_ids_keeps_the_ids_in_order_once():
    assert parse_ids(["3", "²", "1", "3", "9" * 30, "", "١"]) == [3, 1]
    assert parse_ids(None) == []


def test_parse_int_reads_signed_ascii_numbers_within_bounds():
    assert parse_int("-5") == -5
    assert parse_int("2024", minimum=2000, maximum=2100) == 2024
    assert parse_int("1999", minimum=2000, maximum=2100) is None
    assert parse_int("²", default=0) == 0
    assert parse_int("١", default=0) == 0
    assert parse_int("9" * 30, default=1) == 1
    assert parse_int("1e9", default=1) == 1
    assert parse_int(3, minimum=0, maximum=2) is None


def test_page_number_refuses_digits_int_would_read():
    assert page_number("١٢") == 1
    assert page_number("3") == 3
    assert page_number("9" * 30) == 1


def test_search_text_drops_nul_and_control_characters():
    assert search_text("ph\x00ân\x07 số ") == "phân số"
    assert search_text("x" * 500) == "x" * 200
    assert search_text(None) == ""


def test_id_converter_refuses_what_parse_id_refuses():
    assert resolve("/don-vi/12/").kwargs == {"pk": 12}
    for bad in ("/don-vi/0/", f"/don-vi/{'1' * 30}/", f"/don-vi/{ID_MAX + 1}/", "/don-vi/²/", "/don-vi/١٢/"):
        with pytest.raises(Resolver404):
            resolve(bad)
    assert reverse("units:space", args=[ID_MAX]) == f"/don-vi/{ID_MAX}/"
    with pytest.raises(NoReverseMatch):
        reverse("units:space", args=["abc"])


def test_search_field_cleans_a_nul_instead_of_refusing_the_form():
    class Search(forms.Form):
        q = SearchField(required=False, max_length=50)

    form = Search({"q": "phân\x00 số"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["q"] == "phân số"


@pytest.mark.django_db
def test_id_multiple_choice_field_refuses_a_value_past_the_bigint_with_its_error(tree):
    field = IdMultipleChoiceField(queryset=Unit.objects.all())
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([str(tree.s1.pk), "9" * 30])
    assert refused.value.code == "invalid_pk_value"
    assert list(field.clean([str(tree.s1.pk)])) == [tree.s1]
