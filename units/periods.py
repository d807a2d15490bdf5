"""Reporting periods: the school year and its two semesters, calendar months, and "all time"
(cumulative up to now, which is what the published participation tables show).

The school year's dates come from `units.selectors.school_year_for` (issue #15): the Ministry's year, or
the one the unit's Department adjusted, or — without a row — the old fixed calendar (1 September – 31
August, semester 1 up to 15 January). Without `unit`, the national calendar: the statistics snapshots are
computed for it, so that every province's figures add up over the same periods."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.formatting import month_text

from .selectors import SchoolYearDates, school_year_for, school_year_labelled


@dataclass(frozen=True)
class Period:
    kind: str  # "all", "year", "semester", "month"
    start: date
    end: date  # inclusive
    # For a semester: which one (1 or 2) and the school year's first calendar year; 0 when unknown.
    number: int = field(default=0, compare=False)
    first_year: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "all":
            return _("All time (up to now)")
        if self.kind == "year":
            first = self.first_year or self.start.year
            return _("School year %(a)d–%(b)d") % {"a": first, "b": first + 1}
        if self.kind == "semester":
            number = self.number or (1 if self.start.month >= 7 else 2)
            year = self.first_year or (self.start.year if number == 1 else self.start.year - 1)
            return _("Semester %(n)d, %(a)d–%(b)d") % {"n": number, "a": year, "b": year + 1}
        return month_text(self.start)


ALL_TIME_START = date(2000, 1, 1)


def all_time(today: date | None = None) -> Period:
    return Period("all", ALL_TIME_START, today or timezone.localdate())


def year_period(year: SchoolYearDates) -> Period:
    return Period("year", year.start, year.end, first_year=year.first_year)


def semester_period(year: SchoolYearDates, number: int) -> Period:
    start, end = year.semesters[number - 1]
    return Period("semester", start, end, number=number, first_year=year.first_year)


def school_year_of(day: date, unit=None) -> Period:
    """The school year `day` belongs to, as `unit` reads it (the national calendar without one)."""
    return year_period(school_year_for(unit, day))


def school_year_numbered(first_year: int, unit=None) -> Period:
    """The school year `first_year`–`first_year + 1` (a page's ?year=2025)."""
    return year_period(school_year_labelled(first_year, unit))


def semester_of(day: date, unit=None) -> Period:
    """The semester `day` counts in (a day between the semesters or after the year counts in the one
    before it), as `unit` reads the calendar."""
    year = school_year_for(unit, day)
    return semester_period(year, year.semester_number(day))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, nxt - timedelta(days=1))


def current_periods(today: date | None = None, months: int = 12, unit=None) -> list[Period]:
    """The periods kept up to date by the scheduled recompute: all time, this school year and semester,
    and the last `months` months (for the trend chart). One query for the school year."""
    today = today or timezone.localdate()
    year = school_year_for(unit, today)
    periods = [all_time(today), year_period(year), semester_period(year, year.semester_number(today))]
    day = today
    for _n in range(months):
        periods.append(month_of(day))
        day = day.replace(day=1) - timedelta(days=1)
    return periods


def parse(key: str, today: date | None = None, unit=None) -> Period:
    """A period from its key ("semester:2025-09-01"); unknown keys mean all time."""
    kind, _sep, start = key.partition(":")
    try:
        day = date.fromisoformat(start)
    except ValueError:
        return all_time(today)
    if not 2000 <= day.year <= 2100:  # a hand-edited link: nothing to show, and no date arithmetic overflow
        return all_time(today)
    if kind == "year":
        return school_year_of(day, unit)
    if kind == "semester":
        return semester_of(day, unit)
    if kind == "month":
        return month_of(day)
    return all_time(today)
