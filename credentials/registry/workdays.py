"""Working days (工作日) on the official Chinese calendar, for 公示 periods.

The State Council's holiday schedule moves working days every year (调休: a Sunday can be a working
day, a Wednesday a holiday), so "5 working days" cannot be counted Monday to Friday. The
``chinesecalendar`` package carries the published schedules; it is the only module that imports it.
A year the installed package has no schedule for (the next year's is published each November)
is counted Monday to Friday and said to be so (``exact`` False), so that the notice can say it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

_DAY = dt.timedelta(days=1)


def _known_years() -> tuple[int, int]:
    days = chinese_calendar.holidays.keys() | chinese_calendar.workdays.keys()
    return min(days).year, max(days).year


_FIRST_YEAR, _LAST_YEAR = _known_years()


def covered(day: dt.date) -> bool:
    """Whether the installed calendar has the official schedule of ``day``'s year."""
    return _FIRST_YEAR <= day.year <= _LAST_YEAR


def is_working_day(day: dt.date) -> bool:
    """A working day on the official calendar (Monday to Friday where it has no schedule)."""
    if covered(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


@dataclass(frozen=True, slots=True)
class Span:
    """``days`` working days from ``start``: the first and the last of them."""

    first: dt.date
    last: dt.date
    exact: bool  # every year counted had its official schedule


def span(start: dt.date, days: int) -> Span:
    """The ``days`` working days that begin on or after ``start`` (``days`` >= 1)."""
    if days < 1:
        raise ValueError("a notice period is at least one working day")
    day = start
    while not is_working_day(day):
        day += _DAY
    first, counted = day, 1
    while counted < days:
        day += _DAY
        if is_working_day(day):
            counted += 1
    exact = covered(start) and covered(day)
    return Span(first, day, exact)


def after(day: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``day`` (not counting ``day`` itself)."""
    return span(day + _DAY, days).last
