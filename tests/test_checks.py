"""Each verdict path of the claim checks, and the section checks on the real data."""

from __future__ import annotations

import math

import pytest

from helpers import data
from helpers.outputs import checks
from helpers.outputs.checks import s1 as claims_s1
from helpers.outputs.checks import s2 as claims_s2
from helpers.outputs.checks import s3 as claims_s3
from helpers.outputs.checks import s4 as claims_s4
from helpers.outputs.checks import s5 as claims_s5
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, bound_holds, compare


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


# --- every check of the pack: its verdict on the real data, and on a perturbed copy ---------------


def section_of(fn) -> str:
    (section,) = [sec for sec, fns in checks._REGISTRY.items() if fn in fns]
    return section


def run_one(fn):
    return fn(data.observations(section=section_of(fn)))


def edit(data_dir, changes: dict[str, dict[str, str]]) -> None:
    from tests.conftest import set_cell

    for row_id, cells in changes.items():
        for column, value in cells.items():
            set_cell(data_dir / "observations.csv", row_id, column, value)


# (check, verdict on the real data, a change to the data, verdict after the change)
CASES = [
    (claims_s1.growth_fell_below_threshold, CONSISTENT, {"s1-global-ecom-growth-2025": {"value": "12"}}, INCONSISTENT),
    (claims_s1.inflation_topped_threshold, CONSISTENT, {"s1-us-inflation-2022-06": {"value": "8.5"}}, INCONSISTENT),
    (claims_s1.tariff_peak_above_typical_range, CONSISTENT, {"s1-us-tariff-max-2025": {"value": "25"}}, INCONSISTENT),
    (claims_s1.amazon_cpc_rise, CONSISTENT, {"s1-amazon-cpc-us-2025": {"value": "0.5"}}, INCONSISTENT),
    (claims_s1.instagram_cpm_expected_rise, CONSISTENT, {"s1-instagram-cpm-us-2025q4": {"value": "9"}}, INCONSISTENT),
    (claims_s1.instagram_dearer_than_facebook, CONSISTENT, {"s1-facebook-cpm-us-2024q4": {"value": "9.5"}}, INCONSISTENT),
    (claims_s1.us_monthly_inflation_matches_bls, CONSISTENT, {"s1-us-inflation-2022-06": {"value": "9.3"}}, INCONSISTENT),
    (claims_s1.us_peak_topped_floor_in_bls, CONSISTENT, {"s1-us-inflation-peak-2022-2023": {"value_low": "9.5"}}, INCONSISTENT),
    (claims_s1.us_inflation_fell_back_into_band, CONSISTENT, {"s1-us-inflation-2024-2025": {"value_high": "2.5"}}, INCONSISTENT),
    (claims_s2.amazon_growth_fell_from_peak, CONSISTENT, {"s2-amazon-ecom-growth-2025": {"value": "40"}}, INCONSISTENT),
    (claims_s2.shopee_grew_faster_than_amazon, CONSISTENT, {"s2-shopee-growth-2025": {"value": "14"}}, INCONSISTENT),
    (claims_s2.challengers_outgrew_amazon, CONSISTENT, {"s2-amazon-ecom-growth-2025": {"value": "60"}}, NOT_CHECKABLE),
    (claims_s3.temu_footprint_end_2025, CONSISTENT, {"s3-temu-markets-2024": {"qualifier": "exact", "value": "30", "value_low": ""}}, INCONSISTENT),
    (
        claims_s3.temu_expanded_more_slowly,
        NOT_CHECKABLE,
        {
            "s3-temu-markets-2023": {"qualifier": "exact", "value": "45", "value_low": ""},
            "s3-temu-markets-2024": {"qualifier": "exact", "value": "85", "value_low": ""},
        },
        CONSISTENT,
    ),
    (claims_s3.temu_moved_ad_spend_away_from_us, CONSISTENT, {"s3-temu-fra-ad-spend-2025-04": {"value": "-5"}}, INCONSISTENT),
    (claims_s3.tiktok_annual_gmv_vs_daily_average, INCONSISTENT, {"s3-tiktok-shop-sea-daily-gmv-growth-2025": {"value": "110"}}, CONSISTENT),
    (claims_s3.double_12_surged, CONSISTENT, {"s3-tiktok-shop-sea-double12-multiple": {"value": "1.2"}}, INCONSISTENT),
    (claims_s3.short_video_outpaced_campaign, CONSISTENT, {"s3-tiktok-shop-sea-double12-short-video": {"value": "100"}}, INCONSISTENT),
    (claims_s4.amazon_new_sellers_year_before, CONSISTENT, {"s4-amazon-new-sellers-change-2025": {"value": "10"}}, INCONSISTENT),
    (
        claims_s4.amz123_subset_within_whole,
        CONSISTENT,
        {"s4-sellers-profit-decline-2025": {"qualifier": "exact", "value": "25", "value_low": ""}},
        INCONSISTENT,
    ),
    (claims_s4.core_categories_above_stated_floor, CONSISTENT, {"s4-tiktok-shop-sea-core-categories-2025": {"value_low": "250"}}, INCONSISTENT),
    (claims_s4.wook_adjusted_net_margin, CONSISTENT, {"s4-wook-adj-net-profit-2025q1-q3": {"value": "900000000"}}, INCONSISTENT),
    (claims_s2.amazon_current_rate_in_its_releases, INCONSISTENT, {"s2-amazon-net-sales-north-america-2025q3": {"value": "105600000000"}}, CONSISTENT),
    (claims_s2.shopee_around_thirty_in_its_releases, CONSISTENT, {"s2-shopee-gmv-growth-2025q3": {"value": "20"}}, INCONSISTENT),
    (claims_s2.ebay_toward_single_digits, CONSISTENT, {"s2-ebay-gmv-growth-2025q2": {"value": "12"}}, INCONSISTENT),
    (
        claims_s2.challengers_growth_against_pdd,
        INCONSISTENT,
        {
            "s2-pdd-holdings-revenue-growth-2025q1": {"value": "60"},
            "s2-pdd-holdings-revenue-growth-2025q2": {"value": "55"},
            "s2-pdd-holdings-revenue-growth-2024q3": {"value": "70"},
        },
        CONSISTENT,
    ),
    (claims_s5.aliexpress_lead_time_cut, CONSISTENT, {"s5-aliexpress-lead-time-after": {"value_low": "6", "value_high": "8"}}, INCONSISTENT),
]


def test_every_check_has_a_case():
    """A claim check without a case here (a verdict on the real data and one that flips on changed
    data), or without a place among the claims no offline source can check, fails the run."""
    covered = {case[0] for case in CASES} | {case[0] for case in NOT_CHECKABLE_OFFLINE}
    missing = [f"{section}: {fn.__name__}" for section, fns in checks._REGISTRY.items() for fn in fns if fn not in covered]
    assert not missing, "checks with no flipping case in tests/test_checks.py CASES: " + ", ".join(missing)


@pytest.mark.parametrize(("fn", "real", "change", "after"), CASES, ids=[c[0].__name__ for c in CASES])
def test_check_on_real_and_perturbed_data(fn, real, change, after, data_copy):
    verdict = run_one(fn)
    assert verdict.verdict == real, verdict
    assert verdict.claim and verdict.locator and verdict.article and verdict.recomputed and verdict.tolerance
    edit(data_copy, change)
    changed = run_one(fn)
    assert changed.verdict == after, changed


NOT_CHECKABLE_OFFLINE = [
    (claims_s1.euro_area_peak_not_checkable, "s1-ea-inflation-2022-10"),
    (claims_s1.euro_area_band_not_checkable, "s1-ea-inflation-2024-2025"),
    (claims_s3.southeast_asia_top_two_not_checkable, None),
    (claims_s4.insta360_market_value_not_checkable, "s4-insta360-market-cap-peak"),
    (claims_s4.aliexpress_visits_not_checkable, None),
    (claims_s5.amazon_logistics_investment_not_checkable, "s5-amazon-logistics-investment"),
    (claims_s5.aidc_revenue_growth_not_checkable, "s5-aidc-revenue-growth-2025q3"),
    (claims_s1.ad_prices_not_checkable, None),
    (claims_s1.global_growth_not_checkable, None),
]


@pytest.mark.parametrize(("fn", "row"), NOT_CHECKABLE_OFFLINE, ids=[c[0].__name__ for c in NOT_CHECKABLE_OFFLINE])
def test_unverifiable_claims_say_why(fn, row, data_copy):
    verdict = run_one(fn)
    assert verdict.verdict == NOT_CHECKABLE
    assert verdict.recomputed.startswith("not checkable offline: ")
    if row:
        # With its row gone the claim is not in the data, so there is nothing to report.
        from tests.conftest import read_rows, write_rows

        path = data_copy / "observations.csv"
        write_rows(path, [r for r in read_rows(path) if r[0] != row])
        # A removed row takes its corrections with it (they would name an unknown id).
        log = data_copy / "corrections.csv"
        write_rows(log, [r for r in read_rows(log) if r[0] != row])
        assert run_one(fn) is None


def test_tiktok_tension_is_flagged_with_its_reason():
    verdict = run_one(claims_s3.tiktok_annual_gmv_vs_daily_average)
    assert verdict.verdict == INCONSISTENT
    # 2025 has 365 days and 2024 had 366: 1.9 x 365/366.
    assert "365/366 = 1.89x" in verdict.recomputed and "not more than 2x" in verdict.recomputed


def test_derived_figures_are_computed():
    assert "about 294,643" in run_one(claims_s4.amazon_new_sellers_year_before).recomputed  # 165,000 / 0.56
    assert "more than 90 at the end of 2025" in run_one(claims_s3.temu_footprint_end_2025).recomputed
    assert "cut by 2 to 7 days, 28.6% to 70.0%" in run_one(claims_s5.aliexpress_lead_time_cut).recomputed
    assert "adjusted net margin 7.0%" in run_one(claims_s4.wook_adjusted_net_margin).recomputed
    assert "9.06%" in run_one(claims_s1.us_monthly_inflation_matches_bls).recomputed
    band = run_one(claims_s1.us_inflation_fell_back_into_band).recomputed
    assert "2.7% in December 2025, inside the band" in band and "inside since June 2024" in band
    assert "+170%" in run_one(claims_s3.double_12_surged).recomputed  # 2.7x is +170%, not +270%


def test_the_pack_has_enough_checks_and_every_verdict():
    result = checks.run_checks()
    assert len(result) >= 25
    assert set(result["verdict"]) == {CONSISTENT, INCONSISTENT, NOT_CHECKABLE}
    assert set(result["section"]) >= {"S1", "S2", "S3", "S4", "S5"}


def test_checks_follow_the_as_of_period():
    early = checks.run_checks(as_of="2024")
    assert 0 < len(early) < len(checks.run_checks())
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
    verdict = run_one(claims_s1.instagram_cpm_expected_rise).verdict
    assert title.startswith("rose") and verdict == CONSISTENT, (title, verdict)
