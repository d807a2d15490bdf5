"""One way to write numbers and dates for people: Django's localisation of the active language.

In Vietnamese that is "2.587" (thousands), "70,8%" (decimal comma), "02/02/2013" and "02/02/2013 08:30"
(truonghoc/formats/vi). Templates use the same functions through the `number`, `percent` filters and the
`date:"SHORT_DATE_FORMAT"` / `"SHORT_DATETIME_FORMAT"` formats; Python code that writes text for people
(flags, notifications, messages, previews, the display text of exports) calls these, never `strftime`,
f-string number formats or `str(float)`. Values written for machines (URLs, ids, file names, cells of a
spreadsheet that hold numbers) are not formatted.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, timezone, translation


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


# {language: (decimal separator, thousand separator, grouping)}: numbers are written without Django's general
# number formatting (a dashboard writes thousands of them) when the language groups by threes, with the
# same text; emptied when a setting changes, as Django's own cache is.
_SEPARATORS: dict[str | None, tuple[str, str, object]] = {}


@receiver(setting_changed)
def _forget_separators(**kwargs) -> None:
    _SEPARATORS.clear()


def _grouped(amount, places: int) -> str | None:
    """`amount` (an int or a Decimal already rounded to `places`) with the language's separators
    ("2.587,5"), as `formats.number_format(..., force_grouping=True)` writes it; None when the language
    does not group by threes."""
    language = translation.get_language()
    found = _SEPARATORS.get(language)
    if found is None:
        found = _SEPARATORS[language] = (
            formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
            formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
            formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
        )
    decimal_separator, thousand_separator, grouping = found
    if grouping != 3:
        return None
    text = f"{amount:,}" if type(amount) is int else f"{amount:,.{places}f}"
    return text.translate({ord(","): thousand_separator, ord("."): decimal_separator})


def number(value, decimals: int | None = None, *, trim: bool = True) -> str:
    """2587 → "2.587"; 70.84 with decimals=1 → "70,8"; 8.50 → "8,5" (trailing zeros dropped unless trim=False).

    Rounds half up, as people do on paper (8,25 → 8,3 with one decimal), not to even."""
    if type(value) is int and (decimals is None or trim) and (text := _grouped(value, 0)) is not None:
        return text
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    if decimals is not None:
        amount = amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if trim and amount == amount.to_integral_value():
        amount = amount.quantize(Decimal(1))
    elif trim:
        amount = amount.normalize()
    places = max(0, -amount.as_tuple().exponent)
    if amount.is_zero():
        amount = amount.copy_abs()  # -0,04 rounds to "0", not "-0" (as number_format writes it)
    if amount.is_finite() and abs(amount) < 10**15 and (text := _grouped(amount, places)) is not None:
        return text
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


def percent(value, decimals: int = 1) -> str:
    """70.83 → "70,8%"; 100 → "100%"; None → "—" (no denominator, nothing to show)."""
    if _decimal(value) is None:
        return "—"
    return f"{number(value, decimals)}%"


def date_text(value: date | datetime | None) -> str:
    """A date as dd/mm/yyyy; an aware datetime is first taken to Vietnam time."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def datetime_text(value: datetime | None, *, seconds: bool = False) -> str:
    """A moment as dd/mm/yyyy HH:MM in Vietnam time (with :SS when seconds matter, e.g. a receipt)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SECONDS_DATETIME_FORMAT" if seconds else "SHORT_DATETIME_FORMAT")


def time_text(value: datetime | None, *, seconds: bool = False) -> str:
    """A time of day as HH:MM (or HH:MM:SS) in Vietnam time."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.time_format(value, "SECONDS_TIME_FORMAT" if seconds else "TIME_FORMAT")


def month_text(value: date | None) -> str:
    """A month as mm/yyyy ("10/2025"): the label of a month's statistics and of chart axes."""
    if value is None:
        return ""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")
