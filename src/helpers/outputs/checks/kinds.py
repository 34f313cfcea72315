"""The generic kinds of claim in data/claims.csv, each judged from the rows its selectors pick.

direction  the first and last row of `rows` (by period) go `expect` (up or down)
order      the latest row of `rows` (every row, with which=all) lies `expect` (above or below)
           the latest row of `other`, with `tolerance` taken off the claimed side
bound      every row of `rows` satisfies the bound the latest row of `other` states, or the
           literal bound in `expect` ('more_than 1.5')
sign       every row of `rows` changed the way `expect` says, every row of `other` the other way
not_checkable  the rows exist, and no source shipped with the pack can check them: `reason`

Every verdict is judged on the intervals the figures allow (core.figure), so a bound is never read
as a point; figures the intervals cannot decide are 'not checkable', never a guess. Each kind
returns None when its rows are not in the data as viewed (an earlier as_of).
"""

from __future__ import annotations

import math

import pandas as pd

from helpers import data
from helpers.core.figure import DOWN, POINTS, QUALIFIER_FILLS, QUALIFIER_WORDS, SAME, UP, Interval, direction, holds, interval, merge_locators, sign
from helpers.core.formatting import format_bound_range, format_observation, format_value
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, not_checkable, verdict_of
from helpers.views.select import matching, pick

OPPOSITE = {UP: DOWN, DOWN: UP}
# The columns that tell rows apart in a verdict's text, when they differ among its rows.
LABEL_COLUMNS = ("entity_label", "market_name", "segment")


def _difference_unit(row) -> str:
    """The unit a difference of two figures is stated in: percentage points between percents."""
    return "percentage_points" if row["unit"] == "percent" else row["unit"]


def _figure(row) -> str:
    """A figure as stated, and for a multiple the change it is ('2.7x, a rise of +170%')."""
    text = format_observation(row)
    if row["unit"] == "multiple" and row["qualifier"] in POINTS:
        text += f", a change of {format_value((row['value'] - 1) * 100, 'percent', 0, signed=True)}"
    return text


def _change(row) -> str:
    """A stated change with its sign: '+20%', '-31%', 'about +5%', 'more than -5%'."""
    text = format_observation(row)
    if row["qualifier"] in POINTS and row["value"] > 0:
        words = QUALIFIER_WORDS[row["qualifier"]]
        text = words + "+" + text.removeprefix(words)
    return text


def _labels(rows: pd.DataFrame) -> dict:
    """'Temu', 'United States (Meta ads)': what tells these rows apart, by row index. The entity and
    market when they differ among the rows, the segment (in brackets after them) when it does."""
    varying = [c for c in LABEL_COLUMNS if rows[c].nunique(dropna=False) > 1]
    labels = {}
    for i, r in rows.iterrows():
        names = [str(r[c]) for c in varying if c != "segment" and r[c]]
        if "segment" in varying and r["segment"]:
            names.append(f"({r['segment']})" if names else r["segment"])
        labels[i] = " ".join(names)
    return labels


def _named(label: str, text: str, separator: str = " ") -> str:
    return f"{label}{separator}{text}" if label else text


def _period(row) -> str:
    return row["period"] + ("" if row["status"] == "actual" else f", {row['status']}")


def _difference(a: Interval, b: Interval) -> Interval:
    """The interval a - b may take, each end open when an end it comes from is."""
    return Interval(a.low - b.high, a.low_open or b.high_open, a.high - b.low, a.high_open or b.low_open)


def _amount(gap: Interval, unit: str, decimals: int) -> str:
    """A non-negative amount an interval states: '19.4 pp', '2 to 7 days', 'more than 24.4 pp'."""

    def shown(x: float) -> str:
        return format_value(x, unit, decimals)

    if gap.low == gap.high:
        return shown(gap.low)
    if math.isinf(gap.high):
        return ("more than " if gap.low_open else "at least ") + shown(gap.low)
    if math.isinf(gap.low):
        return ("less than " if gap.high_open else "at most ") + shown(gap.high)
    return format_bound_range(gap.low, gap.high, unit, decimals)


def _negated(gap: Interval) -> Interval:
    return Interval(-gap.high, gap.high_open, -gap.low, gap.low_open)


def _positive(gap: Interval) -> bool:
    return gap.low > 0 or (gap.low == 0 and gap.low_open)


def _gap_words(gap: Interval, row, up: str, down: str) -> str:
    """'above by 19.4 pp', 'a fall of more than 24.4 pp', or why the figures decide nothing."""
    unit, decimals = _difference_unit(row), int(row["decimals"])
    if _positive(gap):
        return f"{up} {_amount(gap, unit, decimals)}"
    if _positive(_negated(gap)):
        return f"{down} {_amount(_negated(gap), unit, decimals)}"
    if gap.low == gap.high == 0:
        return "no difference"
    return "the intervals the figures allow overlap, so they decide nothing"


def _selected(obs: pd.DataFrame, text: str, default: str) -> pd.DataFrame:
    selector = data.parse_selector(text)
    return pick(matching(obs, selector.columns), selector.which(default))


def _combined(verdicts: list[str]) -> str:
    """One verdict for several rows: inconsistent if any is, consistent if all are, else not checkable."""
    if INCONSISTENT in verdicts:
        return INCONSISTENT
    return CONSISTENT if verdicts and all(v == CONSISTENT for v in verdicts) else NOT_CHECKABLE


def _locator(*frames: pd.DataFrame) -> str:
    return merge_locators(pd.concat(frames)["locator"])


def judge_direction(claim: pd.Series, obs: pd.DataFrame) -> Verdict | None:
    """The first and last row of `rows` go `expect`; intervals that overlap decide nothing."""
    rows = _selected(obs, claim.rows, "all")
    if len(rows) < 2:
        return None
    old, new = rows.iloc[0], rows.iloc[-1]
    went = direction(old, new)
    change = _gap_words(_difference(interval(new), interval(old)), new, "a rise of", "a fall of")
    if old["qualifier"] in POINTS and new["qualifier"] in POINTS and new["unit"] != "percent" and old["value"]:
        change += f" ({format_value((new['value'] / old['value'] - 1) * 100, 'percent', 1, signed=True)})"
    return Verdict(
        claim=claim.claim,
        locator=_locator(rows.iloc[[0, -1]]),
        article=f"{format_observation(old)} ({_period(old)}) to {format_observation(new)} ({_period(new)})",
        recomputed=change + ("" if went is None else ": the figures as stated stay the same" if went == SAME else f": the figures as stated go {went}"),
        verdict=NOT_CHECKABLE if went is None else verdict_of(went == claim.expect),
        tolerance=claim.tolerance_note,
    )


def _order_verdict(row, against, expect: str, slack: float) -> str:
    """Whether `row` lies `expect` (above or below) `against`, `slack` taken off its claimed side."""
    mine, theirs = interval(row), interval(against)
    if expect == "above":
        mine = mine._replace(low=mine.low - slack)
        if mine.above(theirs):
            return CONSISTENT
        return INCONSISTENT if mine.high <= theirs.low else NOT_CHECKABLE
    mine = mine._replace(high=mine.high + slack)
    if theirs.above(mine):
        return CONSISTENT
    return INCONSISTENT if mine.low >= theirs.high else NOT_CHECKABLE


def judge_order(claim: pd.Series, obs: pd.DataFrame) -> Verdict | None:
    """The latest row of `rows` (every row, which=all) against the latest row of `other`."""
    rows, other = _selected(obs, claim.rows, "latest"), _selected(obs, claim.other, "latest")
    if rows.empty or other.empty:
        return None
    against = other.iloc[-1]
    slack = 0.0 if pd.isna(claim.tolerance) else float(claim.tolerance)
    labels = _labels(pd.concat([rows, other]))
    verdicts, readings = [], []
    for i, row in rows.iterrows():
        if row["period"] != against["period"]:
            verdicts.append(NOT_CHECKABLE)
            readings.append(_named(labels[i], f"{row['period']} against {against['period']}: the two figures are for different periods", ": "))
            continue
        verdicts.append(_order_verdict(row, against, claim.expect, slack))
        gap = _gap_words(_difference(interval(row), interval(against)), row, "above by", "below by")
        readings.append(_named(labels[i], gap, ": "))
    recomputed = "; ".join(readings)
    if slack:
        recomputed += f"; judged with {format_value(slack, _difference_unit(against), 0)} taken off the claimed side"
    return Verdict(
        claim=claim.claim,
        locator=_locator(rows, other.iloc[[-1]]),
        article="; ".join(_named(labels[i], format_observation(r)) for i, r in rows.iterrows())
        + " against "
        + _named(labels[other.index[-1]], f"{format_observation(against)} ({_period(against)})"),
        recomputed=recomputed,
        verdict=_combined(verdicts),
        tolerance=claim.tolerance_note,
    )


def _within(row, bound: pd.Series | dict) -> str:
    """Whether a row satisfies a bound: a point by core.figure.holds, an interval when it lies
    wholly inside (consistent) or wholly outside (inconsistent); partly inside decides nothing."""
    if row["qualifier"] in POINTS:
        return verdict_of(holds(row["value"], bound["qualifier"], bound.get("value_low"), bound.get("value_high")))
    mine, allowed = interval(row), interval(bound)
    if mine.above(allowed) or allowed.above(mine):
        return INCONSISTENT
    inside = allowed.contains(mine.low) or (mine.low_open and mine.low == allowed.low)
    inside &= allowed.contains(mine.high) or (mine.high_open and mine.high == allowed.high)
    return CONSISTENT if inside else NOT_CHECKABLE


def judge_bound(claim: pd.Series, obs: pd.DataFrame) -> Verdict | None:
    """Every row of `rows` satisfies the latest row of `other`, or the literal bound in `expect`."""
    rows = _selected(obs, claim.rows, "all")
    if rows.empty:
        return None
    used = rows
    if claim.other:
        other = _selected(obs, claim.other, "latest")
        if other.empty:
            return None
        bound = other.iloc[-1]
        used = pd.concat([rows, other.iloc[[-1]]])
        stated_bound = f"{format_observation(bound)} ({_period(bound)})"
    else:
        qualifier, number = data.parse_literal_bound(claim.expect)
        (column,) = QUALIFIER_FILLS[qualifier]
        first = rows.iloc[0]
        bound = {"qualifier": qualifier, "value": math.nan, "value_low": math.nan, "value_high": math.nan, column: number}
        stated_bound = format_observation(bound | {"unit": first["unit"], "decimals": first["decimals"]})
    if bound["qualifier"] in POINTS:
        return Verdict(claim.claim, _locator(used), stated_bound, "the row of other states a point, not a bound", NOT_CHECKABLE, claim.tolerance_note)
    labels = _labels(rows)
    verdicts = [_within(r, bound) for _, r in rows.iterrows()]
    words = {CONSISTENT: "within the bound", INCONSISTENT: "outside the bound", NOT_CHECKABLE: "partly within the bound"}
    return Verdict(
        claim=claim.claim,
        locator=_locator(used),
        article=stated_bound,
        recomputed="; ".join(_named(labels[i], f"{r['period']}: {_figure(r)}, {words[v]}") for (i, r), v in zip(rows.iterrows(), verdicts)),
        verdict=_combined(verdicts),
        tolerance=claim.tolerance_note,
    )


def judge_sign(claim: pd.Series, obs: pd.DataFrame) -> Verdict | None:
    """Every row of `rows` changed `expect` (up or down), every row of `other` the opposite way."""
    rows = _selected(obs, claim.rows, "all")
    other = _selected(obs, claim.other, "all") if claim.other else rows.iloc[0:0]
    if rows.empty or (claim.other and other.empty):
        return None
    every = pd.concat([rows, other])
    labels = _labels(every)
    wanted = [claim.expect] * len(rows) + [OPPOSITE[claim.expect]] * len(other)
    signs = [sign(r) for _, r in every.iterrows()]
    verdicts = [NOT_CHECKABLE if s is None else verdict_of(s == w) for s, w in zip(signs, wanted)]

    recomputed = "; ".join(_named(labels[i], s or "no direction the figure decides", ": ") for i, s in zip(every.index, signs))
    return Verdict(
        claim=claim.claim,
        locator=_locator(every),
        article="; ".join(_named(labels[i], f"{_change(r)} ({_period(r)})") for i, r in every.iterrows()),
        recomputed=recomputed,
        verdict=_combined(verdicts),
        tolerance=claim.tolerance_note,
    )


def judge_not_checkable(claim: pd.Series, obs: pd.DataFrame) -> Verdict | None:
    """The claim's rows, and why no source shipped with the pack can check them."""
    return not_checkable(claim.claim, _selected(obs, claim.rows, "all"), claim.reason)


KINDS = {
    "direction": judge_direction,
    "order": judge_order,
    "bound": judge_bound,
    "sign": judge_sign,
    "not_checkable": judge_not_checkable,
}
