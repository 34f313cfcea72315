"""The period grammar of the data package: 2025, 2025Q4, 2022-06, 2025-12-12, or start/end."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

import pandas as pd

POINT = re.compile(r"(?P<year>[0-9]{4})(?:Q(?P<quarter>[1-4])|-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")


def _point(text: str) -> tuple[dt.datetime, dt.datetime, str] | None:
    """First day, last day and kind of one single period; None when the text is not one (a month
    13 or a 30 February included)."""
    found = POINT.fullmatch(text)
    if found is None:
        return None
    year, quarter, month, day = (None if g is None else int(g) for g in found.group("year", "quarter", "month", "day"))
    if quarter is not None:
        first, last, kind = 3 * quarter - 2, 3 * quarter, "quarter"
    elif month is not None:
        first, last, kind = month, month, "month" if day is None else "day"
    else:
        first, last, kind = 1, 12, "year"
    try:  # month 00 or 13, day 00 or 30 February: not a date, so not a period
        start = dt.datetime(year, first, 1 if day is None else day)
        end = start if day is not None else dt.datetime(year, last, calendar.monthrange(year, last)[1])
    except ValueError:
        return None
    return start, end, kind


@lru_cache(maxsize=4096)
def _period(text: str) -> tuple[dt.datetime | None, dt.datetime | None, str]:
    """(start, end, kind) of a period text, or (None, None, 'invalid'). An interval 'a/b' runs from
    a's first day to b's last and needs a to start no later than b."""
    first, sep, second = text.partition("/")
    a = _point(first)
    if not sep:
        return a if a else (None, None, "invalid")
    b = _point(second)
    if a is None or b is None or a[0] > b[0]:
        return None, None, "invalid"
    return a[0], b[1], "interval"


def parse_periods(periods: pd.Series) -> pd.DataFrame:
    """Columns start, end (timestamps) and period_kind for a column of period texts.

    Invalid or empty texts get NaT, which the validator reports with their line. Each distinct
    text is parsed once, in plain Python: the tables hold a few dozen distinct periods however
    many rows they have, and a single period_bounds() call stays in microseconds.
    """
    parsed = [_period(text) for text in periods.astype(str)]
    return pd.DataFrame(
        {
            "start": pd.Series([p[0] for p in parsed], index=periods.index, dtype="datetime64[us]"),
            "end": pd.Series([p[1] for p in parsed], index=periods.index, dtype="datetime64[us]"),
            "period_kind": pd.Series([p[2] for p in parsed], index=periods.index, dtype="str"),
        }
    )


def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, last day) of one period text; ValueError naming it when it is not one."""
    start, end, _ = _period(str(period))
    if start is None:
        raise ValueError(f"{period!r} is not a period: expected 2025, 2025Q4, 2022-06, 2025-12-12 or start/end")
    return pd.Timestamp(start).as_unit("us"), pd.Timestamp(end).as_unit("us")


def next_period(period: str) -> str:
    """The period that follows in the same grammar: 2025 -> 2026, 2025Q4 -> 2026Q1, 2025-12 -> 2026-01.

    A single day (a yearly campaign such as 12 December) and an interval recur a year later.
    """
    if "/" in period:
        return "/".join(next_period_year(p) for p in period.split("/"))
    if re.fullmatch(r"\d{4}", period):
        return str(int(period) + 1)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", period):
        year, q = int(m[1]), int(m[2])
        return f"{year + q // 4}Q{q % 4 + 1}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        year, month = int(m[1]), int(m[2])
        return f"{year + month // 12}-{month % 12 + 1:02d}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return next_period_year(period)
    raise ValueError(f"{period!r} is not a period")


def next_period_year(period: str) -> str:
    """The same period one year later: 2025Q1 -> 2026Q1, 2025-12-12 -> 2026-12-12."""
    return str(int(period[:4]) + 1) + period[4:]
