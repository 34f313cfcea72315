"""Checks of section 3 (regional focus: Temu's footprint, ad budgets, TikTok Shop in Southeast Asia)."""

from __future__ import annotations

import math

import pandas as pd

from helpers.core.figure import highest, lowest
from helpers.core.formatting import format_observation, format_value
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, bound_holds, check, locators, stated
from helpers.views.select import one, rows


@check("S3")
def temu_footprint_end_2025(obs: pd.DataFrame) -> Verdict | None:
    """Footprints can only grow by openings: the stated counts must allow a non-decreasing series,
    and the latest footprint plus the markets opened after it gives the implied next one."""
    footprint = rows(obs, "markets_present_count", entity="temu")
    if footprint.empty:
        return None
    latest = footprint.iloc[-1]
    opened = rows(obs, "new_markets_opened", entity="temu")
    opened = opened[opened["start"] > latest["end"]]
    # Each earlier count's smallest possible value must not exceed a later count's largest.
    clash = [(a, b) for i, (_, a) in enumerate(footprint.iterrows()) for _, b in footprint.iloc[i + 1 :].iterrows() if lowest(a) > highest(b)]
    text = " then ".join(f"{format_observation(r)} ({r['period']})" for _, r in footprint.iterrows())
    if len(opened):
        added = opened["value"].sum()
        implied = {
            **latest.to_dict(),
            "value_low": latest["value_low"] + added if latest["qualifier"] in ("more_than", "at_least") else math.nan,
            "value": latest["value"] + added,
        }
        end_period = opened["period"].iloc[-1]
        recomputed = (
            f"{format_observation(implied)} at the end of {end_period} ({format_observation(latest)} plus {added:.0f} opened, if no market closed); "
            f"the {added:.0f} added are less than {added / lowest(latest) * 100:.1f}% of the footprint a year earlier"
        )
    else:
        recomputed = "no later openings given"
    if clash:
        a, b = clash[0]
        recomputed += f"; but {format_observation(a)} ({a['period']}) cannot be followed by {format_observation(b)} ({b['period']})"
    return Verdict(
        claim="Temu's footprint at the end of the latest year, implied by its earlier footprint and the markets it opened",
        locator=locators(pd.concat([footprint, opened])),
        article=text + (f"; {format_observation(opened.iloc[-1])} opened in {opened['period'].iloc[-1]}" if len(opened) else ""),
        recomputed=recomputed,
        verdict=INCONSISTENT if clash else CONSISTENT,
        tolerance="none (bound arithmetic; a footprint never shrinks unless a market closes, and none is said to)",
    )


@check("S3")
def temu_expanded_more_slowly(obs: pd.DataFrame) -> Verdict | None:
    """Fewer openings than the year before needs the year before's openings, i.e. two point counts."""
    footprint = rows(obs, "markets_present_count", entity="temu")
    opened = one(obs, "new_markets_opened", entity="temu")
    if len(footprint) < 2 or opened is None:
        return None
    before, last = footprint.iloc[-2], footprint.iloc[-1]
    rows_used = pd.concat([footprint.iloc[-2:], opened.to_frame().T])
    if before["qualifier"] in ("exact", "approx") and last["qualifier"] in ("exact", "approx"):
        earlier = last["value"] - before["value"]
        return Verdict(
            claim=f"Temu opened fewer markets in {opened['period']} than in the year before",
            locator=locators(rows_used),
            article=stated(rows_used),
            recomputed=f"{earlier:.0f} added from {before['period']} to {last['period']}, {opened['value']:.0f} in {opened['period']}",
            verdict=CONSISTENT if opened["value"] < earlier else INCONSISTENT,
            tolerance="none (counts)",
        )
    return Verdict(
        claim=f"Temu opened fewer markets in {opened['period']} than in the year before",
        locator=locators(rows_used),
        article=stated(rows_used),
        recomputed=(
            f"not checkable from the rows: {format_observation(before)} and {format_observation(last)} are both lower bounds, "
            "and the difference of two lower bounds bounds nothing, so the markets added the year before are unknown"
        ),
        verdict=NOT_CHECKABLE,
        tolerance="none (counts)",
    )


def _days(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return (end - start).days + 1


@check("S3")
def tiktok_annual_gmv_vs_daily_average(obs: pd.DataFrame) -> Verdict | None:
    """A year's GMV is its number of days times its average daily GMV, so the annual multiple is
    (1 + daily-average growth) times the ratio of the two years' day counts."""
    sea = obs[(obs["entity"] == "tiktok-shop") & (obs["market"] == "SEA")]
    annual = sea[(sea["metric"] == "gmv_multiple") & (sea["period_kind"] == "year")]
    daily = sea[(sea["metric"] == "avg_daily_gmv_growth") & (sea["period_kind"] == "year")]
    if annual.empty or daily.empty:
        return None
    a, d = annual.iloc[-1], daily[daily["period"] == annual.iloc[-1]["period"]]
    if d.empty:
        return None
    d = d.iloc[0]
    days_now = _days(d["start"], d["end"])
    days_before = _days(d["start"] - pd.DateOffset(years=1), d["end"] - pd.DateOffset(years=1))
    implied = (1 + d["value"] / 100) * days_now / days_before
    verdict = bound_holds(implied, a["qualifier"], a["value_low"], a["value_high"])
    reason = (
        f"annual GMV = days × average daily GMV, so {format_value(d['value'], 'percent', 0, signed=True)} a day on average over "
        f"{days_now} days against {days_before} gives {1 + d['value'] / 100:.2f} × {days_now}/{days_before} = {implied:.2f}x"
    )
    if verdict == INCONSISTENT:
        reason += f", not {format_observation(a)}: the two agree only if they count different days or a different scope, which the article does not say"
    return Verdict(
        claim=f"TikTok Shop's Southeast Asia cross-border GMV in {a['period']}: the annual multiple against the growth of average daily GMV",
        locator=locators(pd.concat([annual.iloc[[-1]], d.to_frame().T])),
        article=f"annual GMV {format_observation(a)}; average daily GMV {format_value(d['value'], 'percent', 0, signed=True)}",
        recomputed=reason,
        verdict=verdict,
        tolerance="none (arithmetic; day counts from the periods)",
    )


@check("S3")
def short_video_outpaced_campaign(obs: pd.DataFrame) -> Verdict | None:
    day = obs[(obs["entity"] == "tiktok-shop") & (obs["period_kind"] == "day")]
    total = one(day, "gmv_multiple")
    video = one(day, "gmv_growth")
    if total is None or video is None or total["period"] != video["period"]:
        return None
    video_multiple = 1 + video["value"] / 100
    return Verdict(
        claim=f"Short-video-driven GMV grew faster than the Double 12 campaign's GMV as a whole ({total['period']})",
        locator=locators(pd.concat([total.to_frame().T, video.to_frame().T])),
        article=f"campaign {format_observation(total)}; short video {format_value(video['value'], 'percent', 0, signed=True)}",
        recomputed=f"short video {video_multiple:.2f}x against the campaign's {total['value']:.2f}x",
        verdict=CONSISTENT if video_multiple > total["value"] else INCONSISTENT,
        tolerance="none (ordering; growth converted to a multiple, 1 + growth)",
    )
