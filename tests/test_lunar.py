"""Vietnamese lunar dates → Gregorian dates, against dates published by others, never by this code.

Each reference names where it was published. Tết (1/1) and mid-autumn (15/8) are the best-documented
lunar days; the Hùng Kings' day (10/3, a public holiday announced each year) pins down the 3rd month,
the month of the Bạch Đằng festival (8/3).
"""

from __future__ import annotations

import datetime
import re

import pytest

from generator.web import lunar
from generator.web.lunar import gregorian_date, leap_month, next_dates, yearly_dates

D = datetime.date

# Tết Nguyên Đán, 1st day of the 1st month, in Vietnam.
TET = {
    # North Vietnam's first Tết at UTC+7: 29 Jan 1968, a day before the South's (American Valor
    # Quarterly, "Tet: 1968"; Wikipedia, "Vietnamese calendar": North and South kept Tết 1968 on different days).
    1968: D(1968, 1, 29),
    # Vietnam 21 Jan 1985, China 20 Feb 1985: a month apart (Hồ Ngọc Đức, "Computing the Vietnamese
    # lunar calendar"; widely retold, e.g. oreateai.com "1985 Lunar New Year").
    1985: D(1985, 1, 21),
    # Vietnam 17 Feb 2007, China 18 Feb 2007 (Viet-jo, July 2006, quoting a Vietnamese government official).
    2007: D(2007, 2, 17),
    # python-holidays' hand-entered list of Vietnam's Tết (tests/countries/test_vietnam.py).
    2008: D(2008, 2, 7),
    2009: D(2009, 1, 26),
    2010: D(2010, 2, 14),
    2011: D(2011, 2, 3),
    2012: D(2012, 1, 23),
    2013: D(2013, 2, 10),
    2014: D(2014, 1, 31),
    2015: D(2015, 2, 19),
    2016: D(2016, 2, 8),
    2017: D(2017, 1, 28),
    2018: D(2018, 2, 16),  # also vietnamsea.org, "Vietnamese New Year 2018"
    2019: D(2019, 2, 5),
    2020: D(2020, 1, 25),
    2021: D(2021, 2, 12),
    2022: D(2022, 2, 1),
    2023: D(2023, 1, 22),  # "Lunar New Year is Jan 22 2023, Vietnamese: year of the Water Cat"
    2024: D(2024, 2, 10),  # Tết holiday 8-14 Feb 2024 announced by the labour ministry; mùng 1 = Sat 10 Feb
    2025: D(2025, 1, 29),
    2026: D(2026, 2, 17),  # Vietnam's public holiday Tết 17-22 Feb 2026
    # China's New Year 6 Feb 2027 and 26 Jan 2028 (published CNY tables); the 21st century's only
    # Vietnam/China differences are 2007, 2030 and 2053 (Hồ Ngọc Đức; the official quoted by Viet-jo).
    2027: D(2027, 2, 6),
    2028: D(2028, 1, 26),
    # Vietnam 2 Feb 2030 vs China 3 Feb; Vietnam 18 Feb 2053 vs China 19 Feb (Hồ Ngọc Đức).
    2030: D(2030, 2, 2),
    2053: D(2053, 2, 18),
}

# Tết Trung thu, 15th day of the 8th month.
MID_AUTUMN = {
    2023: D(2023, 9, 29),  # EPA photo story from Hanoi, 27 Sep 2023: "falls this year on September 29"
    2024: D(2024, 9, 17),  # Vietnam's tourism administration, "Tet Trung Thu: 17 September"
    2025: D(2025, 10, 6),  # VietNamNet, 28 Sep 2025: "rơi vào thứ Hai, ngày 6/10 dương lịch"
}

# Giỗ Tổ Hùng Vương, 10th day of the 3rd month (public holiday).
HUNG_KINGS = {
    2020: D(2020, 4, 2),  # python-holidays' list
    2021: D(2021, 4, 21),
    2022: D(2022, 4, 10),
    2025: D(2025, 4, 7),  # LawNet: "March 10, 2025 [lunar] corresponds to April 7, 2025"
    2026: D(2026, 4, 26),  # a Sunday: the holiday is observed on Monday 27 April 2026
}

# Bạch Đằng festival, 8th day of the 3rd month. 2025: the festival ran 3-6 April 2025 "tức mùng 6 - 9
# tháng 3 năm Ất Tỵ" (lehoivietnam.com.vn), so 8/3 was 5 April. 2026: two days before the Hùng Kings'
# day 10/3 = 26 April 2026 in the same month, so 24 April.
BACH_DANG = {2025: D(2025, 4, 5), 2026: D(2026, 4, 24)}


@pytest.mark.parametrize(("year", "expected"), TET.items())
def test_tet(year: int, expected: datetime.date) -> None:
    assert gregorian_date(year, 1, 1) == expected


@pytest.mark.parametrize(("year", "expected"), MID_AUTUMN.items())
def test_mid_autumn(year: int, expected: datetime.date) -> None:
    assert gregorian_date(year, 8, 15) == expected


@pytest.mark.parametrize(("year", "expected"), HUNG_KINGS.items())
def test_hung_kings_day(year: int, expected: datetime.date) -> None:
    assert gregorian_date(year, 3, 10) == expected


@pytest.mark.parametrize(("year", "expected"), BACH_DANG.items())
def test_bach_dang_festival(year: int, expected: datetime.date) -> None:
    assert gregorian_date(year, 3, 8) == expected


def test_vietnam_not_china_in_1985() -> None:
    """China's Tết 1985 (20 Feb) is a month after Vietnam's: the UTC+8 answer would be wrong here."""
    assert gregorian_date(1985, 1, 1) == D(1985, 1, 21)
    assert gregorian_date(1985, 1, 1) != D(1985, 2, 20)
    assert gregorian_date(2007, 1, 1) != D(2007, 2, 18)


def test_leap_months() -> None:
    # 2023 had two 2nd months (kinhtedothi.vn, "Vì sao năm 2023 có tới 2 tháng 2 âm lịch?");
    # 2025 has two 6th months (widely reported as "năm 2025 nhuận hai tháng 6").
    assert leap_month(2023) == 2
    assert leap_month(2025) == 6
    assert gregorian_date(2023, 2, 1, leap=True) > gregorian_date(2023, 2, 1)
    assert gregorian_date(2023, 3, 1) > gregorian_date(2023, 2, 1, leap=True)
    with pytest.raises(ValueError, match=re.escape("has no leap month 5 (its leap month is 6)")):
        gregorian_date(2025, 5, 1, leap=True)


def test_day_30_of_a_29_day_month() -> None:
    """Lunar 2024's 12th month has 29 days: 2025 had no "30 Tết" (mihanoi.vn, "Năm 2025 có 30 Tết không?")."""
    assert gregorian_date(2024, 12, 29) == TET[2025] - datetime.timedelta(days=1)
    with pytest.raises(ValueError, match="month 12 of lunar year 2024 has 29 days, so it has no day 30"):
        gregorian_date(2024, 12, 30)
    assert yearly_dates(12, 30, [2024]) == [D(2025, 1, 28)]


def test_yearly_dates() -> None:
    assert yearly_dates(1, 1, range(2020, 2029)) == [TET[year] for year in range(2020, 2029)]
    assert yearly_dates(3, 8, [2025, 2026]) == [BACH_DANG[2025], BACH_DANG[2026]]
    assert yearly_dates(8, 15, []) == []


def test_yearly_dates_never_use_the_leap_month() -> None:
    assert yearly_dates(6, 15, [2025]) == [gregorian_date(2025, 6, 15)]
    assert yearly_dates(6, 15, [2025]) != [gregorian_date(2025, 6, 15, leap=True)]


def test_next_dates_of_the_bach_dang_festival() -> None:
    assert next_dates(3, 8, after=D(2025, 1, 1), count=2) == [BACH_DANG[2025], BACH_DANG[2026]]
    assert next_dates(3, 8, after=D(2025, 4, 5), count=2) == [BACH_DANG[2025], BACH_DANG[2026]]  # on or after
    assert next_dates(3, 8, after=D(2025, 4, 6), count=1) == [BACH_DANG[2026]]


def test_next_dates_across_year_boundaries() -> None:
    assert next_dates(1, 1, after=D(2025, 6, 1), count=3) == [TET[2026], TET[2027], TET[2028]]
    assert next_dates(8, 15, after=D(2022, 12, 31), count=3) == list(MID_AUTUMN.values())
    # "30 Tết" is the last day of the 12th month, the eve of the next Tết. Lunar 2024's 12th month lies
    # in Gregorian 2025 and lacks day 30, so its 29th day stands in for it; lunar 2025's ends 16 Feb 2026.
    eve_2025, eve_2026 = TET[2025] - datetime.timedelta(days=1), TET[2026] - datetime.timedelta(days=1)
    assert next_dates(12, 30, after=D(2024, 12, 1), count=2) == [eve_2025, eve_2026]
    assert next_dates(12, 30, after=eve_2025 + datetime.timedelta(days=1), count=1) == [eve_2026]


def test_next_dates_accepts_a_datetime_and_count_zero() -> None:
    assert next_dates(3, 8, after=datetime.datetime(2025, 4, 5, 23, 59), count=1) == [BACH_DANG[2025]]
    assert next_dates(3, 8, after=D(2025, 1, 1), count=0) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gregorian_date(2025, 13, 1), "numbered 1 to 12, not 13"),
        (lambda: gregorian_date(2025, 0, 1), "numbered 1 to 12, not 0"),
        (lambda: gregorian_date(2025, 3, 31), "days 1 to 30, not 31"),
        (lambda: gregorian_date(2025, 3, 0), "days 1 to 30, not 0"),
        (lambda: gregorian_date(1967, 1, 1), "outside 1968-2100"),
        (lambda: gregorian_date(2101, 1, 1), "outside 1968-2100"),
        (lambda: gregorian_date(2024, 1, 1, leap=True), "it has no leap month"),
        (lambda: yearly_dates(3, 31, [2025]), "days 1 to 30, not 31"),
        (lambda: next_dates(3, 8, after=D(2025, 1, 1), count=-1), "count must be 0 or more"),
        (lambda: next_dates(3, 8, after=D(2100, 6, 1), count=2), "fewer than 2 dates"),
    ],
)
def test_plain_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_every_year_is_a_well_formed_calendar() -> None:
    """Structural rules, for every year covered: Tết between 21 Jan and 20 Feb; 12 months plus at most one
    leap month, each of 29 or 30 days, each starting the day after the one before ends, month 12 ending
    the eve of the next Tết; month 11 spans the December solstice (21 or 22 December at UTC+7)."""
    one_day = datetime.timedelta(days=1)
    for year in range(lunar.FIRST_YEAR, lunar.LAST_YEAR + 1):
        tet = gregorian_date(year, 1, 1)
        assert D(year, 1, 21) <= tet <= D(year, 2, 20), year
        months = [(m, False) for m in range(1, 13)]
        leap = leap_month(year)
        if leap is not None:
            months.insert(leap, (leap, True))
        next_starts = [gregorian_date(year, m, 1, is_leap) for m, is_leap in months[1:]]
        next_starts.append(gregorian_date(year + 1, 1, 1) if year < lunar.LAST_YEAR else None)
        for (month, is_leap), next_start in zip(months, next_starts, strict=True):
            last = 30
            try:
                end = gregorian_date(year, month, 30, is_leap)
            except ValueError:
                last, end = 29, gregorian_date(year, month, 29, is_leap)
            assert (end - gregorian_date(year, month, 1, is_leap)).days == last - 1
            if next_start is not None:
                assert end + one_day == next_start, (year, month, is_leap)
        after_11 = gregorian_date(year, 11, 1, True) if leap == 11 else gregorian_date(year, 12, 1)
        assert gregorian_date(year, 11, 1) <= D(year, 12, 22) and after_11 > D(year, 12, 21), year
