"""Reporting periods: the school year (1 September – 31 August), its two semesters (1 September –
15 January, 16 January – 31 August) and calendar months; plus "all time" (cumulative up to now),
which is what the published participation tables show."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.formatting import month_text


@dataclass(frozen=True)
class Period:
    kind: str  # "all", "year", "semester", "month"
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "all":
            return _("All time (up to now)")
        if self.kind == "year":
            return _("School year %(a)d–%(b)d") % {"a": self.start.year, "b": self.start.year + 1}
        if self.kind == "semester":
            number = 1 if self.start.month == 9 else 2
            year = self.start.year if number == 1 else self.start.year - 1
            return _("Semester %(n)d, %(a)d–%(b)d") % {"n": number, "a": year, "b": year + 1}
        return month_text(self.start)


ALL_TIME_START = date(2000, 1, 1)


def all_time(today: date | None = None) -> Period:
    return Period("all", ALL_TIME_START, today or timezone.localdate())


def school_year_of(day: date) -> Period:
    first = day.year if day.month >= 9 else day.year - 1
    return Period("year", date(first, 9, 1), date(first + 1, 8, 31))


def semester_of(day: date) -> Period:
    year = school_year_of(day)
    if day <= date(year.start.year + 1, 1, 15):
        return Period("semester", year.start, date(year.start.year + 1, 1, 15))
    return Period("semester", date(year.start.year + 1, 1, 16), year.end)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, nxt - timedelta(days=1))


def current_periods(today: date | None = None, months: int = 12) -> list[Period]:
    """The periods kept up to date by the scheduled recompute: all time, this school year and semester,
    and the last `months` months (for the trend chart)."""
    today = today or timezone.localdate()
    periods = [all_time(today), school_year_of(today), semester_of(today)]
    day = today
    for _n in range(months):
        periods.append(month_of(day))
        day = day.replace(day=1) - timedelta(days=1)
    return periods


def parse(key: str, today: date | None = None) -> Period:
    """A period from its key ("semester:2025-09-01"); unknown keys mean all time."""
    kind, _sep, start = key.partition(":")
    try:
        day = date.fromisoformat(start)
    except ValueError:
        return all_time(today)
    if not 2000 <= day.year <= 2100:  # a hand-edited link: nothing to show, and no date arithmetic overflow
        return all_time(today)
    return {"year": school_year_of, "semester": semester_of, "month": month_of}.get(kind, lambda d: all_time(today))(
        day
    )
