"""Words about a change ('fell', 'rose', 'cut') decided by the figures as stated, never typed.

A title that says "fell" must still be true after a new quarter's rows are added, so the verb is
chosen from the rows: a figure is read as the interval the source allows (a point, a bound's
half-line, a range), and a change has a direction only when the two intervals cannot overlap.
"more than 40" to "more than 80" has none (either could be the larger), so it 'went from' one to
the other.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from helpers.core.figure import DOWN, SAME, UP, direction, sign
from helpers.core.formatting import during, format_observation, possessive


def word(towards: str | None, up: str, down: str, other: str) -> str:
    return {UP: up, DOWN: down}.get(towards, other)


def change(before: pd.Series | dict, after: pd.Series | dict, up: str = "rose", down: str = "fell", other: str = "went") -> str:
    """'fell from 17.1% to 8.8%', 'rose from ...', 'went from more than 40 to more than 80',
    'stayed at 5%'; 'was 17.1%' when both are the same row (one figure so far)."""
    if before is after or ("id" in before and "id" in after and before["id"] == after["id"]):
        return f"was {format_observation(after)}"
    towards = direction(before, after)
    if towards == SAME:
        return f"stayed at {format_observation(after)}"
    return f"{word(towards, up, down, other)} from {format_observation(before)} to {format_observation(after)}"


def magnitude(change: pd.Series | dict) -> str:
    """A stated change without its sign, for a sentence whose verb says the direction ('cut by 31%').
    Only a point or a range of one sign loses its sign; anything else is shown as stated."""
    towards = sign(change)
    q = change["qualifier"]
    if towards in (UP, DOWN) and q in ("exact", "approx", "range"):
        flipped = {**dict(change), "value": abs(change["value"]) if q != "range" else math.nan}
        if q == "range":
            low, high = sorted((abs(change["value_low"]), abs(change["value_high"])))
            flipped.update(value_low=low, value_high=high)
        return format_observation(flipped)
    return format_observation(change)


def growth(rate: pd.Series | dict, up: str = "grew", down: str = "shrank", other: str = "changed by") -> str:
    """'grew 30%', 'shrank 5%', or 'changed by more than -50%' for a stated growth rate."""
    return f"{word(sign(rate), up, down, other)} {magnitude(rate)}"


def multiple(times: pd.Series | dict, up: str = "grew to", down: str = "shrank to", other: str = "went to") -> str:
    """'grew to 2.7x' for a stated multiple of an earlier level: above 1x it grew, below it shrank."""
    once = {"qualifier": "exact", "value": 1.0}
    return f"{word(direction(once, times), up, down, other)} {format_observation(times)}"


# Names of places that read with "the" inside a sentence ('in the United Kingdom', 'in the
# Netherlands'): a union of parts, or a plural. Single names ('France', 'China') read bare.
_TAKES_THE = re.compile(r"^(United|Republic|Kingdom|Union|Federation)\b|(lands|ines|States|Emirates)$")


def place(name: str) -> str:
    """A market's name as it reads after 'in': 'the United Kingdom', 'the Netherlands', 'France'."""
    name = str(name)
    return f"the {name}" if _TAKES_THE.search(name) else name


def verbs_by(changes: pd.DataFrame, up: str, down: str, other: str = "changed") -> str:
    """'raised it by 20% in France and 40% in the United Kingdom': one verb when the stated changes
    share a direction, else a verb for each ('raised it by 20% in France and cut it by 5% in ...')."""
    verbs = [word(sign(r), up, down, other) for _, r in changes.iterrows()]
    places = [f"{magnitude(r)} in {place(r['market_name'])}" for _, r in changes.iterrows()]
    if len(set(verbs)) == 1:
        return f"{verbs[0]} it by " + " and ".join(places)
    return " and ".join(f"{v} it by {p}" for v, p in zip(verbs, places))


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'Net sales growth' -> 'net sales growth', but an
    acronym keeps its capitals ('GMV growth')."""
    label = str(label)
    return label if not label or label.split(" ")[0].isupper() else label[0].lower() + label[1:]


def measure_words(row: pd.Series | dict) -> str:
    """What a growth or change metric measures, as the subject of a verb: 'Net sales growth' ->
    'net sales', 'GMV growth' -> 'GMV', 'Change in new sellers' -> 'new sellers'."""
    label = str(row["metric_label"])
    for prefix in ("Change in ",):
        label = label.removeprefix(prefix)
    for suffix in (" growth", " change"):
        label = label.removesuffix(suffix)
    return in_sentence(label)


def figure_sentence(row: pd.Series | dict) -> str:
    """One figure as a sentence an analyst writes: 'Global retail e-commerce grew 8.8% in 2025',
    "Amazon's new sellers fell 44% in 2025", "Amazon's cost per click (average) was about $1.12 in
    2025". An aggregate or a policy is the subject itself; a company's figure is its measure."""
    when = during(row["period"])
    name = re.sub(r"^.*\(([A-Z0-9]+)\)$", r"\1", str(row["entity_label"]))  # 'Alibaba ... (AIDC)' -> 'AIDC'
    whole = row.get("entity_kind") in ("aggregate", "policy")
    measure = str(row["metric_label"])
    measure = measure if measure.split(" ")[0].isupper() else measure[0].lower() + measure[1:]
    shown = row["segment"] and row["segment"].lower() not in measure.lower()
    segment = f" ({row['segment']})" if shown else ""
    if row["unit"] == "percent" and (row["metric"].endswith("_growth") or row["metric"].endswith("_change")):
        subject = name if whole else f"{possessive(name)} {measure_words(row)}"
        verbs = ("grew", "shrank") if row["metric"].endswith("_growth") else ("rose", "fell")
        return f"{subject}{segment} {growth(row, *verbs)} {when}"
    if whole:
        return f"{name}{segment} stood at {format_observation(row)} {when}"
    verb = "numbered" if row["unit"] == "count" else "was"
    return f"{possessive(name)} {measure}{segment} {verb} {format_observation(row)} {when}"
