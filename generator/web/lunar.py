"""Gregorian dates of Vietnamese lunar dates, for festivals given as "day D of lunar month M".

Why not the Chinese calendar: both are the same lunisolar calendar, but a month begins on the day
of the new moon *in local time*, and Vietnam reckons it at UTC+7 (since 1968; China at UTC+8).
A new moon between 23:00 and 24:00 Hanoi time starts the month a day earlier in Vietnam, and the
winter solstice can land in a different month, which renumbers months and moves leap months:
Tết 2007 was 17 Feb in Vietnam and 18 Feb in China; Tết 1985 was 21 Jan in Vietnam and 20 Feb
in China. A festival page for Quảng Ninh must give Vietnam's date.

How: Hồ Ngọc Đức's published algorithm, the one behind Vietnamese calendar software
("Computing the Vietnamese lunar calendar"), with the time zone 7.0: new moons by the short Meeus
series, the sun's longitude for the major solar terms, month 11 is the one containing the winter
solstice, and in a year of 13 months the first month after month 11 without a major solar term is
the leap month, numbered like the month before it.

Accuracy: the short series is off by a few minutes, which matters only when a new moon falls within
minutes of midnight. Over 1968-2053 every month start agrees with Hồ Ngọc Đức's own tables; after
that three months start a day late (lunar 4/2054, 11/2072, 10/2077, new moons within two minutes
of midnight). Years before 1968 are refused: the North then used UTC+8, the South until 1975.

Everything here is pure: no clock, no files, no network; results are cached per lunar year.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

TIME_ZONE = 7.0  # hours east of Greenwich: Vietnam's calendar meridian, 105° E
FIRST_YEAR = 1968  # first lunar year reckoned at UTC+7 (North Vietnam, decree of August 1967)
LAST_YEAR = 2100

_JDN_OF_ORDINAL_0 = 1721425  # Julian Day Number = date.toordinal() + this
_NEW_MOON_1900 = 2415021.076998695  # Julian Day of the new moon of 1 January 1900
_SYNODIC_MONTH = 29.530588853  # days
_RAD = math.pi / 180


class _Month(NamedTuple):
    number: int  # 1-12
    leap: bool
    start: int  # Julian Day Number of its first day
    length: int  # 29 or 30 days


def _new_moon_day(k: int) -> int:
    """Julian Day Number of the local day of the k-th new moon after 1 January 1900."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _RAD)
    m = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * _RAD  # sun's mean anomaly
    mp = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * _RAD  # moon's mean anomaly
    f = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * _RAD  # moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m) + 0.0021 * math.sin(2 * m)
    c1 += -0.4068 * math.sin(mp) + 0.0161 * math.sin(2 * mp) - 0.0004 * math.sin(3 * mp)
    c1 += 0.0104 * math.sin(2 * f) - 0.0051 * math.sin(m + mp) - 0.0074 * math.sin(m - mp)
    c1 += 0.0004 * math.sin(2 * f + m) - 0.0004 * math.sin(2 * f - m) - 0.0006 * math.sin(2 * f + mp)
    c1 += 0.0010 * math.sin(2 * f - mp) + 0.0005 * math.sin(2 * mp + m)
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return math.floor(jd + c1 - delta_t + 0.5 + TIME_ZONE / 24)


def _sun_sector(jdn: int) -> int:
    """Which 30° sector (0-11) of ecliptic longitude the sun is in at local midnight starting day jdn."""
    t = (jdn - 2451545.5 - TIME_ZONE / 24) / 36525
    t2 = t * t
    m = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * _RAD
    mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    centre = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(m)
    centre += (0.019993 - 0.000101 * t) * math.sin(2 * m) + 0.000290 * math.sin(3 * m)
    return math.floor(((mean_longitude + centre) % 360) / 30)


def _month_11_start(year: int) -> int:
    """Julian Day Number of the first day of the lunar month containing the winter solstice of `year`."""
    k = math.floor((datetime.date(year, 12, 31).toordinal() + _JDN_OF_ORDINAL_0 - 2415021) / _SYNODIC_MONTH)
    start = _new_moon_day(k)
    if _sun_sector(start) >= 9:  # the sun is already past 270° at that new moon: month 11 began one lunation earlier
        start = _new_moon_day(k - 1)
    return start


@cache
def _months_from_month_11(year: int) -> tuple[_Month, ...]:
    """The 12 or 13 lunar months from month 11 of Gregorian `year` up to, not including, the next month 11."""
    start, next_start = _month_11_start(year), _month_11_start(year + 1)
    k = math.floor(0.5 + (start - _NEW_MOON_1900) / _SYNODIC_MONTH)
    count = 13 if next_start - start > 365 else 12
    starts = [_new_moon_day(k + i) for i in range(count + 1)]
    leap_at = None
    if count == 13:  # the first month after month 11 with no major solar term (the sector does not change)
        leap_at = next(i for i in range(1, 13) if _sun_sector(starts[i]) == _sun_sector(starts[i + 1]))
    months: list[_Month] = []
    number = 11
    for i in range(count):
        if i and i != leap_at:
            number = number % 12 + 1
        months.append(_Month(number, i == leap_at, starts[i], starts[i + 1] - starts[i]))
    return tuple(months)


def _year_months(lunar_year: int) -> tuple[_Month, ...]:
    """Months 1-12 of a lunar year (and its leap month), in order: 1-10 follow month 11 of the Gregorian
    year before; 11 and 12 begin with month 11 of the same Gregorian year."""
    if not isinstance(lunar_year, int) or not FIRST_YEAR <= lunar_year <= LAST_YEAR:
        raise ValueError(f"lunar year {lunar_year!r} is outside {FIRST_YEAR}-{LAST_YEAR}, the years this calendar covers")
    return tuple(m for m in _months_from_month_11(lunar_year - 1) if m.number < 11) + tuple(
        m for m in _months_from_month_11(lunar_year) if m.number >= 11
    )


def _check_month_day(month: int, day: int) -> None:
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"a lunar month is numbered 1 to 12, not {month!r}")
    if not isinstance(day, int) or not 1 <= day <= 30:
        raise ValueError(f"a lunar month has days 1 to 30, not {day!r}")


def _month(lunar_year: int, month: int, leap: bool) -> _Month:
    for candidate in _year_months(lunar_year):
        if candidate.number == month and candidate.leap == leap:
            return candidate
    other = leap_month(lunar_year)
    has = f"its leap month is {other}" if other else "it has no leap month"
    raise ValueError(f"lunar year {lunar_year} has no leap month {month} ({has})")


def _to_date(jdn: int) -> datetime.date:
    return datetime.date.fromordinal(jdn - _JDN_OF_ORDINAL_0)


def leap_month(lunar_year: int) -> int | None:
    """The number of the leap month of a Vietnamese lunar year, or None in a year of 12 months."""
    return next((m.number for m in _year_months(lunar_year) if m.leap), None)


def gregorian_date(lunar_year: int, month: int, day: int, leap: bool = False) -> datetime.date:
    """The Gregorian date of day `day` of month `month` (the leap month if `leap`) of a Vietnamese lunar year.

    Raises ValueError, in plain words, for a date that does not exist: day 30 of a 29-day month, a leap
    month the year does not have, or a year outside FIRST_YEAR-LAST_YEAR. A yearly festival on day 30
    wants yearly_dates() instead, which takes the month's last day.
    """
    _check_month_day(month, day)
    found = _month(lunar_year, month, leap)
    if day > found.length:
        name = f"leap month {month}" if leap else f"month {month}"
        raise ValueError(
            f"{name} of lunar year {lunar_year} has {found.length} days, so it has no day {day} "
            f"(a yearly festival on that day is kept on day {found.length}: see yearly_dates)"
        )
    return _to_date(found.start + day - 1)


def yearly_dates(month: int, day: int, years: Iterable[int]) -> list[datetime.date]:
    """The Gregorian dates of a yearly festival on day `day` of lunar month `month`, one per lunar year.

    The festival is kept in the regular month, never in a leap month of the same number. Where the
    month is one day short (day 30 of a 29-day month) the festival falls on the month's last day,
    day 29, as the Vietnamese calendar does with "30 Tết" in a year whose 12th month has 29 days.
    """
    _check_month_day(month, day)
    dates = []
    for year in years:
        found = _month(year, month, False)
        dates.append(_to_date(found.start + min(day, found.length) - 1))
    return dates


def next_dates(month: int, day: int, after: datetime.date, count: int = 1) -> list[datetime.date]:
    """The next `count` Gregorian dates, on or after `after`, of a yearly festival on lunar day/month.

    Same rule as yearly_dates: the regular (non-leap) month, and day 30 falls back to day 29 in a year
    whose month has 29 days. A lunar year's months 11 and 12 can fall in the next Gregorian year, so the
    dates are searched from the lunar year before `after`'s. Raises ValueError past LAST_YEAR.
    """
    _check_month_day(month, day)
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
    if isinstance(after, datetime.datetime):
        after = after.date()
    dates: list[datetime.date] = []
    year = max(after.year - 1, FIRST_YEAR)
    while len(dates) < count:
        if year > LAST_YEAR:
            raise ValueError(f"fewer than {count} dates of {day}/{month} fall between {after} and lunar year {LAST_YEAR}")
        (found,) = yearly_dates(month, day, [year])
        if found >= after:
            dates.append(found)
        year += 1
    return dates
