from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.core import formatting
from helpers.core.formatting import format_observation, format_value
from helpers.core.periods import next_period, parse_periods, period_bounds
from helpers.views.wording import in_sentence


def obs(qualifier, value=math.nan, low=math.nan, high=math.nan, unit="percent", decimals=1):
    return {"qualifier": qualifier, "value": value, "value_low": low, "value_high": high, "unit": unit, "decimals": decimals}


@pytest.mark.parametrize(
    ("row", "text"),
    [
        (obs("exact", 8.8), "8.8%"),
        (obs("less_than", high=10), "less than 10%"),
        (obs("range", low=15, high=30, decimals=0), "15–30%"),
        (obs("more_than", low=40, unit="count", decimals=0), "more than 40"),
        (obs("approx", 1.12, unit="usd", decimals=2), "about $1.12"),
        (obs("nearly", high=5, unit="multiple"), "nearly 5x"),
        (obs("at_most", high=10, unit="rank", decimals=0), "top 10"),
        (obs("exact", 880000000, unit="cny", decimals=0), "¥880 million"),
        (obs("more_than", low=100000000000, unit="usd", decimals=0), "more than $100 billion"),
        (obs("range", low=3, high=5, unit="days", decimals=0), "3–5 days"),
    ],
)
def test_figures_read_as_stated(row, text):
    assert format_observation(row) == text


def test_missing_is_shown_as_missing():
    assert format_value(math.nan, "percent") == "not given"


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2025", "2025-01-01", "2025-12-31"),
        ("2025Q4", "2025-10-01", "2025-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-03-31/2025-04-13", "2025-03-31", "2025-04-13"),
        ("2025Q1/2025Q3", "2025-01-01", "2025-09-30"),
    ],
)
def test_period_bounds(period, start, end):
    assert period_bounds(period) == (pd.Timestamp(start), pd.Timestamp(end))
    parsed = parse_periods(pd.Series([period, period], index=[7, 3]))
    assert parsed.index.tolist() == [7, 3] and parsed["start"].dtype == "datetime64[us]"
    assert parsed.loc[3, "start"] == pd.Timestamp(start) and parsed.loc[3, "end"] == pd.Timestamp(end)


def test_period_kinds():
    kinds = parse_periods(pd.Series(["2025", "2025Q4", "2024-02", "2024-02-29", "2025Q1/2025Q3", "2025Q5"]))["period_kind"]
    assert kinds.tolist() == ["year", "quarter", "month", "day", "interval", "invalid"]


@pytest.mark.parametrize(
    "bad",
    ["2025Q5", "2025-13", "2025-00", "2025-01-00", "2025-02-30", "2026/2025", "25Q1", "", "2025Q1/", "2021/2022/2023", " 2025", "2025\n", "２０２５"],
)
def test_invalid_periods(bad):
    assert parse_periods(pd.Series([bad])).iloc[0]["period_kind"] == "invalid"
    with pytest.raises(ValueError, match="is not a period"):
        period_bounds(bad)


@pytest.mark.parametrize(
    ("period", "following"), [("2025", "2026"), ("2025Q4", "2026Q1"), ("2025Q2", "2025Q3"), ("2025-12", "2026-01"), ("2025-12-12", "2026-12-12")]
)
def test_next_period(period, following):
    assert next_period(period) == following


# --- words about a change, decided by the figures ------------------------------------------------

from helpers.views import wording  # noqa: E402


def fig(qualifier="exact", value=math.nan, low=math.nan, high=math.nan, unit="percent", id=None):
    row = {"qualifier": qualifier, "value": value, "value_low": low, "value_high": high, "unit": unit, "decimals": 1}
    return {**row, "id": id} if id else row


@pytest.mark.parametrize(
    ("before", "after", "towards"),
    [
        (fig(value=17.1), fig(value=8.8), "down"),
        (fig(value=0.84), fig("approx", 1.12), "up"),
        (fig("more_than", low=35), fig(value=10.6), "down"),  # more than 35 to 10.6: certainly lower
        (fig("more_than", low=40), fig("more_than", low=80), None),  # either could be the larger
        (fig("range", low=7, high=10), fig("range", low=3, high=5), "down"),
        (fig("range", low=3, high=5), fig("range", low=5, high=7), None),  # they share 5
        (fig(value=40), fig("more_than", low=40), "up"),  # more than 40 is above exactly 40
        (fig(value=40), fig("at_least", low=40), None),  # at least 40 may be 40
        (fig("less_than", high=10), fig(value=10), "up"),
        (fig(value=5), fig(value=5), "same"),
    ],
)
def test_direction_is_decided_by_the_figures_as_stated(before, after, towards):
    assert wording.direction(before, after) == towards


def test_change_words():
    assert wording.change(fig(value=17.1), fig(value=8.8)) == "fell from 17.1% to 8.8%"
    assert wording.change(fig("more_than", low=40, unit="count"), fig("more_than", low=80, unit="count"), up="grew") == "went from more than 40 to more than 80"
    assert wording.change(fig(value=5.0), fig(value=5.0)) == "stayed at 5.0%"
    only = fig(value=17.1, id="a")
    assert wording.change(only, dict(only)) == "was 17.1%", "one figure so far: no change to speak of"


@pytest.mark.parametrize(
    ("change", "towards", "shown"),
    [
        (fig(value=-31.0), "down", "31.0%"),
        (fig("approx", -31.0), "down", "about 31%"),
        (fig(value=40.0), "up", "40.0%"),
        (fig("range", low=-10, high=-5), "down", "5–10%"),
        (fig("more_than", low=-50), None, "more than -50%"),
        (fig(value=0.0), "same", "0.0%"),
    ],
)
def test_a_stated_change_has_a_sign_and_a_size(change, towards, shown):
    assert wording.sign(change) == towards
    assert wording.magnitude(change) == shown


def test_growth_words():
    assert wording.growth(fig("approx", 30.0)) == "grew about 30%"
    assert wording.growth(fig(value=-5.0)) == "shrank 5.0%"
    assert wording.growth(fig("more_than", low=-50)) == "changed by more than -50%"
    assert wording.growth(fig("more_than", low=100)) == "grew more than 100%"


def test_multiple_and_grouped_change_words():
    assert wording.multiple(fig(value=2.7, unit="multiple")) == "grew to 2.7x"
    assert wording.multiple(fig("more_than", low=2, unit="multiple")) == "grew to more than 2x"
    assert wording.multiple(fig(value=0.8, unit="multiple")) == "shrank to 0.8x"
    rows = pd.DataFrame([{**fig(value=20.0), "market_name": "France"}, {**fig(value=40.0), "market_name": "Italy"}])
    assert wording.verbs_by(rows, "raised", "cut") == "raised it by 20.0% in France and 40.0% in Italy"
    rows.loc[1, "value"] = -5.0
    assert wording.verbs_by(rows, "raised", "cut") == "raised it by 20.0% in France and cut it by 5.0% in Italy"


def test_a_place_that_reads_with_the_gets_it():
    named = {name: wording.place(name) for name in ("United Kingdom", "United Arab Emirates", "Netherlands", "Philippines", "France", "China", "Poland")}
    assert named == {
        "United Kingdom": "the United Kingdom",
        "United Arab Emirates": "the United Arab Emirates",
        "Netherlands": "the Netherlands",
        "Philippines": "the Philippines",
        "France": "France",
        "China": "China",
        "Poland": "Poland",
    }
    rows = pd.DataFrame([{**fig(value=20.0), "market_name": "France"}, {**fig(value=40.0), "market_name": "United Kingdom"}])
    assert wording.verbs_by(rows, "raised", "cut") == "raised it by 20.0% in France and 40.0% in the United Kingdom"


def test_a_stated_figure_keeps_the_precision_it_was_printed_with():
    from helpers.core.formatting import format_observation

    whole = {"unit": "percent", "decimals": 0, "qualifier": "exact", "status": "actual"}
    assert format_observation({**whole, "value": 13.0}) == "13%"
    assert format_observation({**whole, "value": 17.5}) == "17.5%"  # never rounded to 18%
    assert format_observation({**whole, "value": 17.5, "status": "implied"}) == "18%"  # computed: the metric's decimals
    money = {"unit": "cny", "decimals": 0, "qualifier": "exact", "status": "actual"}
    assert format_observation({**money, "value": 52280700000.0}) == "¥52.3 billion"  # one decimal more at most
    assert format_observation({**money, "value": 880000000.0}) == "¥880 million"


@pytest.mark.parametrize(
    ("period", "words", "with_preposition"),
    [
        ("2025", "2025", "in 2025"),
        ("2025Q3", "the third quarter of 2025", "in the third quarter of 2025"),
        ("2022-06", "June 2022", "in June 2022"),
        ("2025-12-12", "12 December 2025", "on 12 December 2025"),
        ("2021/2025", "2021 to 2025", "from 2021 to 2025"),
        ("2025Q1/2025Q3", "the first three quarters of 2025", "in the first three quarters of 2025"),
        ("2025-03-31/2025-04-13", "31 March to 13 April 2025", "from 31 March to 13 April 2025"),
        ("2025-06/2026-02-04", "June 2025 to 4 February 2026", "from June 2025 to 4 February 2026"),
    ],
)
def test_periods_in_words(period, words, with_preposition):
    from helpers.core.formatting import during, period_words

    assert period_words(period) == words
    assert during(period) == with_preposition


def test_counts_names_and_computed_precision_in_words():
    from helpers.core.formatting import count_words, format_value, possessive, significant, significant_digits

    assert count_words(0, "new markets") == "no new markets" and count_words(6, "pickup cities") == "6 pickup cities"
    assert possessive("PDD Holdings") == "PDD Holdings'" and possessive("Amazon") == "Amazon's"
    assert significant(165000 / 0.56, min(significant_digits(165000), significant_digits(44))) == 290000
    assert format_value(365, "days", 0) == "a year"


def test_list_words_names_each_item_once_in_order():
    assert formatting.list_words([]) == ""
    assert formatting.list_words(["Temu"]) == "Temu"
    assert formatting.list_words(["Temu", "Temu", "SHEIN"]) == "Temu and SHEIN"
    assert formatting.list_words(["A", "B", "A", "C"]) == "A, B and C"


def test_a_label_inside_a_sentence_keeps_an_acronym():
    assert in_sentence("Net sales growth") == "net sales growth"
    assert in_sentence("GMV growth") == "GMV growth"
