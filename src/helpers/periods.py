"""The period grammar of the data package: 2025, 2025Q4, 2022-06, 2025-12-12, or start/end."""

from __future__ import annotations

import pandas as pd

POINT = r"(?P<year>\d{4})(?:Q(?P<quarter>[1-4])|-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"


def _point_bounds(text: pd.Series) -> pd.DataFrame:
    """First and last day of each single period; NaT where the text is not a valid period."""
    parts = text.str.extract(f"^{POINT}$")
    year = pd.to_numeric(parts["year"], errors="coerce")
    quarter = pd.to_numeric(parts["quarter"], errors="coerce")
    month = pd.to_numeric(parts["month"], errors="coerce")
    day = pd.to_numeric(parts["day"], errors="coerce")
    first_month = month.fillna((quarter - 1) * 3 + 1).fillna(1)
    last_month = month.fillna(quarter * 3).fillna(12)
    start_text = year.astype("Int64").astype(str) + "-" + first_month.astype("Int64").astype(str).str.zfill(2) + "-" + day.fillna(1).astype("Int64").astype(str).str.zfill(2)
    start = pd.to_datetime(start_text.where(year.notna()), format="%Y-%m-%d", errors="coerce")
    # A day that does not exist (2025-02-30) fails to parse above and stays NaT.
    month_end_text = year.astype("Int64").astype(str) + "-" + last_month.astype("Int64").astype(str).str.zfill(2) + "-01"
    month_end = pd.to_datetime(month_end_text.where(year.notna()), format="%Y-%m-%d", errors="coerce") + pd.offsets.MonthEnd(0)
    end = start.where(day.notna(), month_end).where(start.notna())
    return pd.DataFrame({"start": start, "end": end}, index=text.index)


def parse_periods(periods: pd.Series) -> pd.DataFrame:
    """Columns start, end (timestamps) and period_kind for a column of period texts.

    Invalid or empty texts get NaT, which the validator reports with their line.
    """
    text = periods.astype(str)
    if text.empty:  # a section with no rows (S6 states no figures): no columns to split
        return pd.DataFrame({"start": pd.Series(dtype="datetime64[us]"), "end": pd.Series(dtype="datetime64[us]"), "period_kind": pd.Series(dtype="str")}, index=periods.index)
    split = text.str.split("/", n=1, expand=True)
    if split.shape[1] == 1:
        split[1] = None
    first = _point_bounds(split[0])
    is_interval = split[1].notna()
    second = _point_bounds(split[1].fillna(""))
    start = first["start"]
    end = first["end"].where(~is_interval, second["end"])
    valid = start.notna() & end.notna() & (~is_interval | (second["start"].notna() & (first["start"] <= second["start"])))
    kind = pd.Series("year", index=text.index, dtype="str")
    kind = kind.mask(text.str.contains("Q"), "quarter").mask(text.str.fullmatch(r"\d{4}-\d{2}"), "month")
    kind = kind.mask(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), "day").mask(is_interval, "interval")
    return pd.DataFrame(
        {"start": start.where(valid), "end": end.where(valid), "period_kind": kind.where(valid, "invalid")},
        index=periods.index,
    )


def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, last day) of one period text; ValueError naming it when it is not one."""
    parsed = parse_periods(pd.Series([period], dtype="str"))
    if parsed["start"].isna().iat[0]:
        raise ValueError(f"{period!r} is not a period: expected 2025, 2025Q4, 2022-06, 2025-12-12 or start/end")
    return parsed["start"].iat[0], parsed["end"].iat[0]
