"""Each verdict path of the claim checks, and the section checks on the real data."""

from __future__ import annotations

import math

import pytest

from helpers import data
from helpers.outputs import checks
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, bound_holds, compare
from tests.conftest import DATA


def test_compare_paths():
    assert compare(9.1, 9.06, 0.05) == CONSISTENT
    assert compare(9.1, 8.9, 0.05) == INCONSISTENT
    assert compare(9.1, math.nan, 0.05) == NOT_CHECKABLE
    assert compare(100, 104, 0.05, relative=True) == CONSISTENT
    assert compare(100, 106, 0.05, relative=True) == INCONSISTENT


@pytest.mark.parametrize(
    ("value", "qualifier", "low", "high", "verdict"),
    [
        (41, "more_than", 40, None, CONSISTENT),
        (40, "more_than", 40, None, INCONSISTENT),
        (40, "at_least", 40, None, CONSISTENT),
        (9.9, "less_than", None, 10, CONSISTENT),
        (10, "less_than", None, 10, INCONSISTENT),
        (20, "range", 15, 30, CONSISTENT),
        (31, "range", 15, 30, INCONSISTENT),
        (math.nan, "range", 15, 30, NOT_CHECKABLE),
    ],
)
def test_bound_holds(value, qualifier, low, high, verdict):
    assert bound_holds(value, qualifier, low, high) == verdict


def test_section_1_checks_run_on_the_real_data():
    result = checks.run_checks("S1")
    assert len(result) >= 5
    assert set(result["verdict"]) <= {CONSISTENT, INCONSISTENT, NOT_CHECKABLE}


def test_a_changed_figure_flips_a_verdict(data_copy):
    from tests.conftest import set_cell

    # Make the later CPC lower than the earlier one: the 'rose' claim must turn inconsistent.
    set_cell(data_copy / "observations.csv", "s1-amazon-cpc-us-2025", "value", "0.5")
    result = checks.run_checks("S1").set_index("claim")
    row = result[result.index.str.contains("cost per click rose")]
    assert row["verdict"].tolist() == [INCONSISTENT]


def test_a_figure_edited_after_a_run_is_checked_afresh(data_copy):
    from tests.conftest import set_cell

    claim = "cost per click rose"
    first = checks.run_checks("S1")
    assert first.loc[first["claim"].str.contains(claim), "verdict"].tolist() == [CONSISTENT]
    first["verdict"] = "tampered"  # the caller's copy: the next run must not see it
    set_cell(data_copy / "observations.csv", "s1-amazon-cpc-us-2025", "value", "0.5")
    again = checks.run_checks("S1")
    assert again.loc[again["claim"].str.contains(claim), "verdict"].tolist() == [INCONSISTENT]
    assert "tampered" not in set(checks.run_checks("S1")["verdict"])


# --- every claim of the pack: its verdict on the real data, and on a perturbed copy ---------------


def claims_table():
    return data.load_package().claims


@pytest.fixture(scope="module")
def real_run():
    """run_checks() on the unchanged data/, run once for the module (each test gets its own copy)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PACK_DATA_DIR", str(DATA))
        result = checks.run_checks()
    return result


@pytest.fixture
def real_verdicts(real_run):
    """Every claim's verdict on the unchanged data/, by claim id, as run_one gives it: a case
    compares its claim against it, then reruns only its own perturbed copy."""
    return {row["id"]: row for _, row in real_run.copy().iterrows()}


def run_one(claim_id: str, as_of: str | None = None):
    """The verdict of one claim of data/claims.csv, as run_checks gives it (None when left out)."""
    claims = claims_table().set_index("id")
    result = checks.run_checks(claims.at[claim_id, "section"], as_of)
    found = result[result["id"] == claim_id]
    return None if found.empty else found.iloc[0]


def edit(data_dir, changes: dict[str, dict[str, str]]) -> None:
    from tests.conftest import set_cell

    for row_id, cells in changes.items():
        for column, value in cells.items():
            set_cell(data_dir / "observations.csv", row_id, column, value)


# (claim id, verdict on the real data, a change to the data, verdict after the change)
CASES = [
    ("growth_fell_below_threshold", CONSISTENT, {"s1-global-ecom-growth-2025": {"value": "12"}}, INCONSISTENT),
    ("inflation_topped_threshold", CONSISTENT, {"s1-us-inflation-2022-06": {"value": "8.5"}}, INCONSISTENT),
    ("tariff_peak_above_typical_range", CONSISTENT, {"s1-us-tariff-max-2025": {"value": "10"}}, INCONSISTENT),
    ("amazon_cpc_rise", CONSISTENT, {"s1-amazon-cpc-us-2025": {"value": "0.5"}}, INCONSISTENT),
    ("instagram_cpm_expected_rise", CONSISTENT, {"s1-instagram-cpm-us-2025q4": {"value": "9"}}, INCONSISTENT),
    ("instagram_dearer_than_facebook", CONSISTENT, {"s1-facebook-cpm-us-2024q4": {"value": "9.5"}}, INCONSISTENT),
    ("us_monthly_inflation_matches_bls", CONSISTENT, {"s1-us-inflation-2022-06": {"value": "9.3"}}, INCONSISTENT),
    ("us_peak_topped_floor_in_bls", CONSISTENT, {"s1-us-inflation-peak-2022-2023": {"value_low": "9.5"}}, INCONSISTENT),
    ("us_inflation_fell_back_into_band", CONSISTENT, {"s1-us-inflation-2024-2025": {"value_high": "2.5"}}, INCONSISTENT),
    (
        "amazon_growth_fell_from_peak",
        CONSISTENT,
        {"s2-amazon-ecom-growth-pandemic-peak": {"qualifier": "exact", "value": "5", "value_low": ""}},
        INCONSISTENT,
    ),
    ("shopee_grew_faster_than_amazon", CONSISTENT, {"s2-shopee-growth-2025": {"value": "5"}}, INCONSISTENT),
    ("challengers_outgrew_amazon", CONSISTENT, {"s2-amazon-ecom-growth-2025": {"value": "60"}}, NOT_CHECKABLE),
    ("temu_footprint_end_2025", CONSISTENT, {"s3-temu-markets-2024": {"qualifier": "exact", "value": "30", "value_low": ""}}, INCONSISTENT),
    (
        "temu_expanded_more_slowly",
        NOT_CHECKABLE,
        {
            "s3-temu-markets-2023": {"qualifier": "exact", "value": "45", "value_low": ""},
            "s3-temu-markets-2024": {"qualifier": "exact", "value": "85", "value_low": ""},
        },
        CONSISTENT,
    ),
    ("temu_moved_ad_spend_away_from_us", CONSISTENT, {"s3-temu-fra-ad-spend-2025-04": {"value": "-5"}}, INCONSISTENT),
    ("tiktok_annual_gmv_vs_daily_average", INCONSISTENT, {"s3-tiktok-shop-sea-daily-gmv-growth-2025": {"value": "110"}}, CONSISTENT),
    ("double_12_surged", CONSISTENT, {"s3-tiktok-shop-sea-double12-multiple": {"value": "1.2"}}, INCONSISTENT),
    ("short_video_outpaced_campaign", CONSISTENT, {"s3-tiktok-shop-sea-double12-short-video": {"value": "100"}}, INCONSISTENT),
    ("amazon_new_sellers_year_before", CONSISTENT, {"s4-amazon-new-sellers-change-2025": {"value": "10"}}, INCONSISTENT),
    (
        "amz123_subset_within_whole",
        CONSISTENT,
        {"s4-sellers-profit-decline-2025": {"qualifier": "exact", "value": "25", "value_low": ""}},
        INCONSISTENT,
    ),
    ("core_categories_above_stated_floor", CONSISTENT, {"s4-tiktok-shop-sea-core-categories-2025": {"value_low": "250"}}, INCONSISTENT),
    ("wook_adjusted_net_margin", CONSISTENT, {"s4-wook-adj-net-profit-2025q1-q3": {"value": "900000000"}}, INCONSISTENT),
    ("amazon_current_rate_in_its_releases", INCONSISTENT, {"s2-amazon-net-sales-north-america-2025q3": {"value": "105600000000"}}, CONSISTENT),
    ("shopee_around_thirty_in_its_releases", CONSISTENT, {"s2-shopee-gmv-growth-2025q3": {"value": "20"}}, INCONSISTENT),
    ("ebay_toward_single_digits", CONSISTENT, {"s2-ebay-gmv-growth-2025q2": {"value": "12"}}, INCONSISTENT),
    (
        "challengers_growth_against_pdd",
        INCONSISTENT,
        {
            "s2-pdd-holdings-revenue-growth-2025q1": {"value": "60"},
            "s2-pdd-holdings-revenue-growth-2025q2": {"value": "55"},
            "s2-pdd-holdings-revenue-growth-2024q3": {"value": "70"},
        },
        CONSISTENT,
    ),
    ("aliexpress_lead_time_cut", CONSISTENT, {"s5-aliexpress-lead-time-after": {"value_low": "11", "value_high": "12"}}, INCONSISTENT),
]

# Figures the intervals cannot decide: the generic kinds say 'not checkable', never guess.
UNDECIDED = [
    ("amazon_cpc_rise", {"s1-amazon-cpc-us-2025": {"qualifier": "more_than", "value": "", "value_low": "0.5"}}),
    ("tariff_peak_above_typical_range", {"s1-us-tariff-max-2025": {"value": "25"}}),
    ("shopee_grew_faster_than_amazon", {"s2-shopee-growth-2025": {"value": "14"}}),
    ("aliexpress_lead_time_cut", {"s5-aliexpress-lead-time-after": {"value_low": "6", "value_high": "8"}}),
    ("instagram_dearer_than_facebook", {"s1-facebook-cpm-us-2024q4": {"period": "2024Q3"}}),
    # (inflation_topped_threshold reads point months only: the band of 2025-12 is a range of the same metric.)
    ("double_12_surged", {"s3-tiktok-shop-sea-double12-multiple": {"qualifier": "range", "value": "", "value_low": "1.2", "value_high": "2"}}),
    ("temu_moved_ad_spend_away_from_us", {"s3-temu-fra-ad-spend-2025-04": {"qualifier": "more_than", "value": "", "value_low": "-5"}}),
]


def test_every_claim_has_a_case():
    """A claim of data/claims.csv without a case here (a verdict on the real data and one that
    flips on changed data), or without a place among the claims no offline source can check, fails."""
    covered = {case[0] for case in CASES} | {case[0] for case in NOT_CHECKABLE_OFFLINE}
    claims = claims_table()
    missing = [f"{row.section}: {row.id}" for row in claims.itertuples() if row.id not in covered]
    assert not missing, "claims with no flipping case in tests/test_checks.py CASES: " + ", ".join(missing)
    assert not covered - set(claims["id"]), f"cases for claims not in data/claims.csv: {sorted(covered - set(claims['id']))}"
    offline = {case[0] for case in NOT_CHECKABLE_OFFLINE}
    assert offline == set(claims.loc[claims["kind"] == "not_checkable", "id"]), "every not_checkable row, and only those, in NOT_CHECKABLE_OFFLINE"


@pytest.mark.parametrize(("claim_id", "real", "change", "after"), CASES, ids=[c[0] for c in CASES])
def test_claim_on_real_and_perturbed_data(claim_id, real, change, after, data_copy, real_verdicts):
    verdict = real_verdicts.get(claim_id)
    assert verdict is not None, f"{claim_id} gives no verdict on the real data"
    assert verdict.verdict == real, verdict.to_dict()
    assert verdict.claim and verdict.locator and verdict.article and verdict.recomputed and verdict.tolerance
    edit(data_copy, change)
    changed = run_one(claim_id)
    assert changed.verdict == after, changed.to_dict()


@pytest.mark.parametrize(("claim_id", "change"), UNDECIDED, ids=[c[0] for c in UNDECIDED])
def test_generic_kinds_leave_undecided_figures_not_checkable(claim_id, change, data_copy, real_verdicts):
    assert real_verdicts[claim_id].verdict == CONSISTENT
    edit(data_copy, change)
    changed = run_one(claim_id)
    assert changed.verdict == NOT_CHECKABLE, changed.to_dict()


def test_every_claim_runs_in_the_order_of_claims_csv_and_cites_its_own_paragraphs(real_run):
    """On the real data every claim gives a verdict, in the table's order, and the paragraphs its
    verdict cites are the ones its row names: a row cannot point at one place and judge another."""
    claims = claims_table()
    result = real_run
    assert result["id"].tolist() == claims["id"].tolist()
    wrong = {r.id: (r.locator, row.locator) for r, row in zip(result.itertuples(), claims.itertuples()) if r.locator != row.locator}
    assert not wrong, f"verdict locator against claims.csv locator: {wrong}"


def test_a_claim_reads_the_sources_its_row_names(data_copy, real_verdicts):
    """reads=article (the default) hands a claim the article's rows only; reads=all every source."""
    from tests.conftest import read_rows, write_rows

    rows = read_rows(data_copy / "claims.csv")
    header = rows[0]
    (row,) = [r for r in rows if r[0] == "shopee_around_thirty_in_its_releases"]
    assert real_verdicts["shopee_around_thirty_in_its_releases"].verdict == CONSISTENT
    row[header.index("reads")] = "article"
    write_rows(data_copy / "claims.csv", rows)
    # Sea's own releases are not the article's rows: read without them, the claim finds none.
    verdict = run_one("shopee_around_thirty_in_its_releases")
    assert verdict.verdict == NOT_CHECKABLE and verdict.recomputed == "no Sea release out before the article is in the data", verdict.to_dict()


NOT_CHECKABLE_OFFLINE = [
    ("euro_area_peak_not_checkable", "s1-ea-inflation-2022-10"),
    ("euro_area_band_not_checkable", "s1-ea-inflation-2024-2025"),
    ("southeast_asia_top_two_not_checkable", None),
    ("insta360_market_value_not_checkable", "s4-insta360-market-cap-peak"),
    ("aliexpress_visits_not_checkable", None),
    ("amazon_logistics_investment_not_checkable", "s5-amazon-logistics-investment"),
    ("aidc_revenue_growth_not_checkable", "s5-aidc-revenue-growth-2025q3"),
    ("ad_prices_not_checkable", None),
    ("global_growth_not_checkable", None),
]


@pytest.mark.parametrize(("claim_id", "row"), NOT_CHECKABLE_OFFLINE, ids=[c[0] for c in NOT_CHECKABLE_OFFLINE])
def test_unverifiable_claims_say_why(claim_id, row, data_copy, real_verdicts):
    verdict = real_verdicts[claim_id]
    assert verdict.verdict == NOT_CHECKABLE
    assert verdict.recomputed == claims_table().set_index("id").at[claim_id, "reason"]
    assert verdict.recomputed.startswith("not checkable offline: ")
    if row:
        # With its row gone the claim is not in the data, so there is nothing to report.
        from tests.conftest import read_rows, write_rows

        path = data_copy / "observations.csv"
        write_rows(path, [r for r in read_rows(path) if r[0] != row])
        # A removed row takes its corrections with it (they would name an unknown id).
        log = data_copy / "corrections.csv"
        write_rows(log, [r for r in read_rows(log) if r[0] != row])
        assert run_one(claim_id) is None


# --- claims.csv: mistakes are named by file, line and column -----------------------------------


def claims_problems(data_copy, claim_id: str, cells: dict[str, str]) -> tuple[str, int]:
    """The validation message after changing cells of one claims.csv row, and that row's line."""
    from tests.conftest import set_cell

    for column, value in cells.items():
        line = set_cell(data_copy / "claims.csv", claim_id, column, value)
    with pytest.raises(data.DataValidationError) as caught:
        data.load_package(data_copy)
    return str(caught.value), line


@pytest.mark.parametrize(
    ("claim_id", "cells", "column", "expected"),
    [
        ("amazon_cpc_rise", {"kind": "rise"}, "kind", "one of direction, order, bound, sign, not_checkable, code"),
        ("amazon_cpc_rise", {"expect": ""}, "expect", "kind direction needs expect"),
        ("amazon_cpc_rise", {"expect": "rising"}, "expect", "up or down (kind direction)"),
        ("amazon_cpc_rise", {"locator": "P12;P20"}, "locator", "paragraphs of section S1 (P01 to P13)"),
        ("amazon_cpc_rise", {"rows": "metric=ad_cpc;entity=amazn"}, "rows", "did you mean 'amazon'?"),
        ("amazon_cpc_rise", {"rows": "metric=ad_cpc;company=amazon"}, "rows", "unknown key 'company'"),
        ("amazon_cpc_rise", {"rows": "metric=ad_cpc;which=newest"}, "rows", "which='newest'"),
        ("amazon_cpc_rise", {"rows": "metric=ad_cpc;entity=amazon;which=latest"}, "rows", "kind direction reads every row it picks"),
        ("amazon_cpc_rise", {"rows": "metric=ad_cpc;segment=averge"}, "rows", "did you mean 'average'?"),
        ("amazon_cpc_rise", {"rows": "metric=ad_cpc;qualifier=aprox"}, "rows", "did you mean 'approx'?"),
        ("amazon_cpc_rise", {"other": "metric=ad_cpm"}, "other", "kind direction does not use other"),
        ("tariff_peak_above_typical_range", {"other": ""}, "other", "kind order needs other"),
        ("tariff_peak_above_typical_range", {"tolerance": "five"}, "tolerance", "a number"),
        ("double_12_surged", {"expect": "surged 1.5"}, "expect", "a bound such as more_than 1.5"),
        ("euro_area_peak_not_checkable", {"reason": ""}, "reason", "kind not_checkable needs reason"),
        ("wook_adjusted_net_margin", {"rows": "metric=revenue"}, "rows", "kind code does not use rows"),
        ("wook_adjusted_net_margin", {"section": "S9"}, "section", "one of S1"),
    ],
)
def test_claims_csv_mistakes_name_file_line_and_column(claim_id, cells, column, expected, data_copy):
    message, line = claims_problems(data_copy, claim_id, cells)
    assert f"data/claims.csv, line {line}, column '{column}'" in message, message
    assert expected in message, message


def test_a_code_row_without_its_function_is_named(data_copy):
    from tests.conftest import read_rows, write_rows

    rows = read_rows(data_copy / "claims.csv")
    rows.insert(3, ["wook_adjusted_net_margn", "S4", "P44", "WOOK made a profit", "code", "article", "", "", "", "", "", ""])
    write_rows(data_copy / "claims.csv", rows)
    with pytest.raises(data.DataValidationError) as caught:
        checks.run_checks("S4")
    message = str(caught.value)
    assert "data/claims.csv, line 4, column 'id': got 'wook_adjusted_net_margn'" in message, message
    assert "did you mean 'wook_adjusted_net_margin'?" in message and "src/helpers/outputs/checks/s4.py" in message


def test_a_registered_function_without_its_row_is_named(monkeypatch):
    def unlisted_claim(obs):
        return None

    monkeypatch.setitem(checks._REGISTRY, "S4", [*checks._REGISTRY["S4"], unlisted_claim])
    with pytest.raises(data.DataValidationError) as caught:
        checks.run_checks("S4")
    message = str(caught.value)
    assert "data/claims.csv" in message and "a row for the check function unlisted_claim" in message, message
    last_s4 = 1 + max(i for i, s in enumerate(claims_table()["section"], 1) if s == "S4")
    assert "add the row unlisted_claim,S4," in message and f"after line {last_s4}" in message, message


def test_a_code_row_in_another_section_than_its_function_is_named(data_copy):
    from tests.conftest import set_cell

    line = set_cell(data_copy / "claims.csv", "wook_adjusted_net_margin", "section", "S5")
    set_cell(data_copy / "claims.csv", "wook_adjusted_net_margin", "locator", "P48")
    with pytest.raises(data.DataValidationError) as caught:
        checks.run_checks("S5")
    assert f"data/claims.csv, line {line}, column 'section': got 'S5'; expected S4" in str(caught.value), str(caught.value)


def test_tiktok_tension_is_flagged_with_its_reason(real_verdicts):
    verdict = real_verdicts["tiktok_annual_gmv_vs_daily_average"]
    assert verdict.verdict == INCONSISTENT
    # 2025 has 365 days and 2024 had 366: 1.9 x 365/366.
    assert "365/366 = 1.89x" in verdict.recomputed and "not more than 2x" in verdict.recomputed


def test_derived_figures_are_computed(real_verdicts):
    def recomputed(claim_id: str) -> str:
        return real_verdicts[claim_id].recomputed

    assert "about 294,643" in recomputed("amazon_new_sellers_year_before")  # 165,000 / 0.56
    assert "more than 90 at the end of 2025" in recomputed("temu_footprint_end_2025")
    assert "below by 2–7 days" in recomputed("aliexpress_lead_time_cut")
    assert "adjusted net margin 7.0%" in recomputed("wook_adjusted_net_margin")
    assert "9.06%" in recomputed("us_monthly_inflation_matches_bls")
    band = recomputed("us_inflation_fell_back_into_band")
    assert "2.7% in December 2025, inside the band" in band and "inside since June 2024" in band
    assert "+170%" in recomputed("double_12_surged")  # 2.7x is +170%, not +270%


def test_the_pack_has_enough_checks_and_every_verdict(real_run):
    result = real_run
    assert len(result) >= 25
    assert set(result["verdict"]) == {CONSISTENT, INCONSISTENT, NOT_CHECKABLE}
    assert set(result["section"]) >= {"S1", "S2", "S3", "S4", "S5"}


def test_checks_follow_the_as_of_period(real_run):
    early = checks.run_checks(as_of="2024")
    assert 0 < len(early) < len(real_run)
    assert not early["claim"].str.contains("TikTok Shop's Southeast Asia").any()


def test_flagged_table_lists_the_inconsistent_claims():
    result = checks.run_checks()
    flagged = int((result["verdict"] == INCONSISTENT).sum())
    text = repr(checks.flagged_table())
    assert flagged >= 1 and text.startswith(f"Claims the checks find inconsistent: {flagged} of {len(result)}")
    assert "average daily GMV" in text


def test_a_later_quarter_from_another_source_leaves_the_article_checks_alone(data_copy):
    from tests.conftest import read_rows, write_rows

    before = checks.run_checks("S1")
    sources = read_rows(data_copy / "sources.csv")
    sources.append(["acme-ads-later", "Acme Ads", "Quarterly ad prices", "", "", "third_party_research", "", "2026-11-27"])
    write_rows(data_copy / "sources.csv", sources)
    obs = read_rows(data_copy / "observations.csv")
    header = obs[0]
    (forecast,) = [r for r in obs if r[0] == "s1-instagram-cpm-us-2025q4"]
    later = dict(zip(header, forecast)) | {
        "id": "s1-instagram-cpm-us-later",
        "period": "2026Q1",
        "value": "7.5",
        "status": "actual",
        "source_id": "acme-ads-later",
        "locator": "Table 2",
    }
    obs.append([later[c] for c in header])
    write_rows(data_copy / "observations.csv", obs)
    after = checks.run_checks("S1")
    # The new figure is lower than the article's: were it read, 'expected to rise' would flip.
    assert after.equals(before)


def test_a_title_and_a_verdict_about_one_change_agree(data_copy):
    """The drift the house issue named: the CPM check judged 'rise' by value > value while the
    title's verb came from the stated intervals. With the later figure a floor above the earlier
    point, the title says 'rose': the verdict must say the same (before, NaN > x made it inconsistent)."""
    from helpers.views import wording
    from tests.conftest import read_rows, set_cell

    rows = {r[0]: r for r in read_rows(data_copy / "observations.csv")}
    cpm = [rid for rid in rows if rid.startswith("s1-instagram-cpm-us-")]
    first, last = sorted(cpm)[0], sorted(cpm)[-1]
    header = read_rows(data_copy / "observations.csv")[0]
    old_value = rows[first][header.index("value")]
    set_cell(data_copy / "observations.csv", last, "qualifier", "more_than")
    set_cell(data_copy / "observations.csv", last, "value", "")
    set_cell(data_copy / "observations.csv", last, "value_low", old_value)
    obs = data.observations(section="S1")
    series = obs[obs["id"].isin([first, last])].sort_values("start")
    title = wording.change(series.iloc[0], series.iloc[-1])
    verdict = run_one("instagram_cpm_expected_rise").verdict
    assert title.startswith("rose") and verdict == CONSISTENT, (title, verdict)
