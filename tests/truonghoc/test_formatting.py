"""One way to write numbers and dates for people (truonghoc.formatting and its template filters)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from truonghoc.formatting import date_text, datetime_text, month_text, number, percent, time_text


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2587, None, "2.587"),
        (48399, None, "48.399"),
        (1234567, None, "1.234.567"),
        (999, None, "999"),
        (0, None, "0"),
        (70.84, 1, "70,8"),
        (70.85, 1, "70,9"),  # half up, as on paper, not to even
        (Decimal("8.50"), 2, "8,5"),
        (Decimal("10.00"), 2, "10"),
        (Decimal("7.25"), 2, "7,25"),
        (Decimal("2587.5"), 1, "2.587,5"),
        (-3.5, 1, "-3,5"),
        (None, None, ""),
    ],
)
def test_numbers_are_written_the_vietnamese_way(value, decimals, expected):
    assert number(value, decimals) == expected


def test_percentages_have_a_decimal_comma_and_a_dash_when_there_is_nothing_to_divide():
    assert percent(70.833) == "70,8%"
    assert percent(100) == "100%"
    assert percent(Decimal("9.95")) == "10%"
    assert percent(None) == "—"


def test_dates_and_moments_are_dd_mm_yyyy_in_vietnam_time():
    assert date_text(date(2013, 2, 2)) == "02/02/2013"
    moment = datetime(2013, 2, 2, 1, 30, 5, tzinfo=UTC)  # 08:30:05 in Hà Nội
    assert date_text(moment) == "02/02/2013"
    assert datetime_text(moment) == "02/02/2013 08:30"
    assert datetime_text(moment, seconds=True) == "02/02/2013 08:30:05"
    assert time_text(moment) == "08:30"
    assert time_text(moment, seconds=True) == "08:30:05"
    assert date_text(None) == datetime_text(None) == ""


def test_templates_have_the_same_filters_without_loading_anything():
    rendered = Template("{{ n|number }} · {{ rate|percent }} · {{ avg|number:1 }} · {{ none|percent }}").render(
        Context({"n": 2587, "rate": 70.83, "avg": Decimal("6.75"), "none": None})
    )
    assert rendered == "2.587 · 70,8% · 6,8 · —"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_shape_of_date_has_a_name_that_templates_and_python_share(language):
    moment = datetime(2025, 12, 8, 7, 5, 9, tzinfo=UTC)  # 14:05:09 in Vietnam
    html = Template(
        '{{ m|date:"SECONDS_DATETIME_FORMAT" }}|{{ m|time:"SECONDS_TIME_FORMAT" }}|{{ d|date:"WEEKDAY_DATE_FORMAT" }}|'
        '{{ m|date:"DAY_MONTH_TIME_FORMAT" }}|{{ d|date:"NARROW_YEAR_MONTH_FORMAT" }}|{{ d|date:"YEAR_MONTH_FORMAT" }}'
    )
    with translation.override(language):
        text = html.render(Context({"m": moment, "d": date(2025, 12, 8)}))
        assert (
            datetime_text(moment, seconds=True) == "08/12/2025 14:05:09" and month_text(date(2025, 10, 1)) == "10/2025"
        )
    weekday = "Thứ 2" if language == "vi" else "Monday"
    assert text == f"08/12/2025 14:05:09|14:05:09|{weekday} 08/12/2025|08/12 14:05|12/25|12/2025"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_are_written_as_the_general_number_format_writes_them(language):
    """Numbers take a short path (a dashboard writes thousands): the same text as Django's number
    formatting in each language, negative numbers, rounding, trim=False and decimals included."""
    from django.utils import formats

    with translation.override(language):
        for value in (0, 7, 999, 1000, 2587, -1234, 48399, 1234567, 10**12):
            assert number(value) == formats.number_format(value, 0, use_l10n=True, force_grouping=True)
            assert number(value, 1) == number(Decimal(value), 1)
        assert number(5, 1, trim=False) == ("5,0" if language == "vi" else "5.0")
        for text in ("0", "-0.04", "0.5", "2587.55", "-1234.5", "70.84", "1234567.891", "100", "8.50", "99999.96"):
            for decimals in (None, 0, 1, 2):
                for trim in (True, False):
                    amount = Decimal(text)
                    if decimals is not None:
                        amount = amount.quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
                    if trim and amount == amount.to_integral_value():
                        amount = amount.quantize(Decimal(1))
                    elif trim:
                        amount = amount.normalize()
                    places = max(0, -amount.as_tuple().exponent)
                    general = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
                    assert number(Decimal(text), decimals, trim=trim) == general, (text, decimals, trim)
