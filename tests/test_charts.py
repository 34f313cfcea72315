"""The chart, table and scorecard helpers draw what the data states and no more."""

from __future__ import annotations

import inspect
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.text
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from helpers import data
from helpers.core.formatting import format_observation
from helpers.core.periods import parse_periods
from helpers.outputs import charts, checks, display, scorecard
from helpers.views.implied import implied_row, level_a_year_earlier, year_earlier
from helpers.views.select import NotInData, need, need_rows, nonempty, one

NAN = math.nan


def make_obs(*rows: dict) -> pd.DataFrame:
    """Observation rows as data.observations() returns them, with defaults for what a test ignores."""
    defaults = {
        "section": "S9",
        "entity": "amazon",
        "entity_label": "Amazon",
        "market": "WLD",
        "market_name": "World",
        "segment": "",
        "metric": "m",
        "metric_label": "Metric",
        "unit": "percent",
        "decimals": 1,
        "value": NAN,
        "value_low": NAN,
        "value_high": NAN,
        "qualifier": "exact",
        "status": "actual",
        "citation": "Src",
        "locator": "P01",
        "note": "",
    }
    df = pd.DataFrame([{**defaults, "id": f"row-{i}", **row} for i, row in enumerate(rows)])
    return df.join(parse_periods(df["period"]))


def make_events(*rows: dict) -> pd.DataFrame:
    defaults = {
        "section": "S9",
        "entity": "temu",
        "entity_label": "Temu",
        "market": "USA",
        "market_name": "United States",
        "kind": "launch",
        "description": "something happened",
        "citation": "Src",
        "locator": "P01",
        "note": "",
    }
    df = pd.DataFrame([{**defaults, "id": f"ev-{i}", **row} for i, row in enumerate(rows)])
    return df.join(parse_periods(df["date"]))


def marker_lines(chart: charts.Chart) -> list:
    return [line for line in chart.figure.axes[0].lines if line.get_marker() not in (None, "None", "")]


def is_hollow(line) -> bool:
    return to_hex(line.get_markerfacecolor()) == "#ffffff"


def arrows(chart: charts.Chart) -> list:
    return [t for t in chart.figure.axes[0].texts if getattr(t, "arrow_patch", None) is not None]


# --- bounds, points, implied values ----------------------------------------------------------


def test_a_bound_is_an_open_marker_with_an_arrow_and_a_point_is_solid():
    obs = make_obs(
        {"period": "2025", "qualifier": "more_than", "value_low": 40.0},
        {"period": "2025", "qualifier": "exact", "value": 30.0, "entity": "temu", "entity_label": "Temu"},
    )
    chart = charts.strip(obs, "t", "s", show=False)
    bound, point = marker_lines(chart)
    assert is_hollow(bound) and bound.get_xdata()[0] == 40.0
    assert not is_hollow(point) and point.get_xdata()[0] == 30.0
    assert len(arrows(chart)) == 1
    assert chart.data["figure"].tolist() == ["more than 40%", "30.0%"]


def test_an_implied_value_is_hollow_and_labelled_implied():
    stated = make_obs({"period": "2025", "value": 165000.0, "unit": "count", "decimals": 0, "id": "new"}).iloc[0]
    change = make_obs({"period": "2025", "value": -44.0, "decimals": 0, "id": "chg"}).iloc[0]
    row = implied_row([stated, change], 294642.857, how="test", period="2024")
    chart = charts.strip(row, "t", "s", show=False)
    (mark,) = marker_lines(chart)
    assert is_hollow(mark)
    assert any(t.get_text() == "about 294,643 (implied)" for t in chart.figure.axes[0].texts)
    assert chart.data["status"].tolist() == ["implied"]


def test_strip_refuses_to_mix_units():
    obs = make_obs({"period": "2025", "value": 2.7, "unit": "multiple"}, {"period": "2025", "value": 257.0})
    with pytest.raises(ValueError, match="mix multiple, percent"):
        charts.strip(obs, "t", "s", show=False)


def test_strip_reaches_zero_for_falls_and_draws_a_stated_zero():
    obs = make_obs({"period": "2025", "value": -44.0}, {"period": "2025", "value": 0.0})
    chart = charts.strip(obs, "t", "s", show=False)
    low, high = chart.figure.axes[0].get_xlim()
    assert low < -44 and high > 0  # zero lies inside the axis, not on its edge
    assert chart.data["figure"].tolist() == ["-44.0%", "0.0%"]


# --- trend: gaps and spans of years ----------------------------------------------------------


def joining_lines(chart: charts.Chart) -> list:
    return [line for line in chart.figure.axes[0].lines if len(line.get_xdata()) == 2 and line.get_marker() in (None, "None", "")]


def gap_labels(chart: charts.Chart) -> list:
    return [t for t in chart.figure.axes[0].texts if t.get_text().startswith("not given")]


def test_a_gap_year_is_shown_missing_and_never_bridged():
    obs = make_obs({"period": "2021", "value": 17.1}, {"period": "2023", "value": 9.0})
    chart = charts.trend(obs, "t", "s", show=False)
    assert [t.get_text() for t in chart.figure.axes[0].get_xticklabels()] == ["2021", "2022", "2023"]
    assert joining_lines(chart) == []
    assert len(gap_labels(chart)) == 1


def test_neighbouring_years_are_joined():
    obs = make_obs({"period": "2021", "value": 17.1}, {"period": "2022", "value": 12.0})
    chart = charts.trend(obs, "t", "s", show=False)
    assert len(joining_lines(chart)) == 1 and gap_labels(chart) == []


def test_a_span_of_years_sits_in_its_middle_and_covers_its_years():
    obs = make_obs({"period": "2020/2021", "qualifier": "more_than", "value_low": 35.0}, {"period": "2025", "value": 10.6})
    chart = charts.trend(obs, "t", "s", show=False)
    ticks = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert ticks == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert len(gap_labels(chart)) == 3  # 2022-2024: no row speaks for them
    bound = next(line for line in marker_lines(chart) if is_hollow(line))
    assert bound.get_xdata()[0] == 0.5
    span_bar = [line for line in chart.figure.axes[0].lines if list(line.get_xdata()) == [-0.3, 1.3]]
    assert len(span_bar) == 1


# --- ladder ----------------------------------------------------------------------------------


def test_ladder_puts_days_and_hours_on_one_hour_axis_fastest_first():
    obs = make_obs(
        {"period": "2025", "qualifier": "range", "value_low": 3.0, "value_high": 5.0, "unit": "days", "decimals": 0, "id": "kor"},
        {"period": "2025", "value": 1.0, "unit": "hours", "decimals": 0, "id": "hour"},
        {"period": "2025", "value": 1.0, "unit": "days", "decimals": 0, "id": "next-day"},
        {"period": "2025", "qualifier": "less_than", "value_high": 1.0, "unit": "days", "decimals": 0, "id": "same-day"},
    )
    chart = charts.ladder(obs, "t", "s", show=False)
    assert chart.data["id"].tolist() == ["hour", "same-day", "next-day", "kor"]
    assert chart.data["hours"].tolist() == ["1", "24", "24", "72–120"]
    assert chart.data["figure"].tolist() == ["1 hour", "less than 1 day", "1 day", "3–5 days"]  # labels as stated
    assert chart.figure.axes[0].get_xscale() == "log"


def test_ladder_refuses_what_is_not_a_time():
    obs = make_obs({"period": "2025", "value": 25.0})
    with pytest.raises(ValueError, match="days or hours"):
        charts.ladder(obs, "t", "s", show=False)


# --- before and after ------------------------------------------------------------------------


def test_before_after_pairs_rows_and_draws_ranges_as_bars():
    before = make_obs({"period": "2025", "qualifier": "range", "value_low": 7.0, "value_high": 10.0, "unit": "days", "decimals": 0, "id": "b"})
    after = make_obs({"period": "2025", "qualifier": "range", "value_low": 3.0, "value_high": 5.0, "unit": "days", "decimals": 0, "id": "a"})
    chart = charts.before_after(before, after, "t", "s", stages=("before", "after"), show=False)
    assert chart.data[["stage", "figure", "id"]].values.tolist() == [["before", "7–10 days", "b"], ["after", "3–5 days", "a"]]
    bars = [line for line in chart.figure.axes[0].lines if sorted(line.get_xdata()) in ([7.0, 10.0], [3.0, 5.0])]
    assert len(bars) == 2
    assert len(arrows(chart)) == 1  # the change, from before to after


def test_before_after_refuses_unpaired_rows_and_mixed_units():
    days = make_obs({"period": "2025", "value": 7.0, "unit": "days"})
    with pytest.raises(ValueError, match="pairs rows"):
        charts.before_after(days, pd.concat([days, days]), "t", "s", show=False)
    with pytest.raises(ValueError, match="mix"):
        charts.before_after(days, make_obs({"period": "2025", "value": 7.0}), "t", "s", show=False)


# --- timeline --------------------------------------------------------------------------------


def test_timeline_dots_a_day_bars_a_year_and_counts_the_undated():
    ev = make_events({"date": "2025-04-09"}, {"date": "2025"}, {"date": ""})
    chart = charts.timeline(ev, "t", "s", show=False)
    lines = chart.figure.axes[0].lines
    dots = [line for line in lines if line.get_marker() == "o"]
    bars = [line for line in lines if len(line.get_xdata()) == 2]
    assert len(dots) == 1 and len(bars) == 1
    # Dated events are numbered in date order, the number drawn beside each mark and keyed in the data.
    assert chart.data["date"].tolist() == ["2025", "2025-04-09", "undated"]
    assert chart.data["#"].tolist() == ["1", "2", ""]
    assert sorted(t.get_text() for t in chart.figure.axes[0].texts) == ["1", "2"]
    assert any("1 event," in t.get_text() for t in chart.figure.texts)


# --- tables ----------------------------------------------------------------------------------


def test_events_table_lists_every_event_undated_last():
    ev = make_events({"date": ""}, {"date": "2025-02", "kind": "market_exit"}, {"date": "2023"})
    text = repr(display.events_table(ev))
    lines = text.splitlines()[2:]
    assert [line.split()[0] for line in lines] == ["ev-2", "ev-1", "ev-0"]
    assert "undated" in lines[-1] and "market exit" in text


def test_facts_table_shows_figures_as_stated_and_events_as_what_happened():
    obs = make_obs({"period": "2025Q3", "value": 10.0, "decimals": 0, "metric_label": "Revenue growth"})
    ev = make_events({"date": "2025Q3", "kind": "milestone", "description": "first profit"})
    text = repr(display.facts_table(obs, caption="c", events=ev))
    assert "10%" in text and "first profit" in text and "event" in text


# --- implied values --------------------------------------------------------------------------


def test_implied_row_keeps_its_basis_and_period():
    stated = make_obs({"period": "2025", "value": 165000.0, "unit": "count", "decimals": 0, "id": "a", "locator": "P35"}).iloc[0]
    change = make_obs({"period": "2025", "value": -44.0, "id": "b", "locator": "P35;P36"}).iloc[0]
    row = implied_row([stated, change], stated.value / (1 + change.value / 100), how="x", period=year_earlier(stated.period)).iloc[0]
    assert row["period"] == "2024" and row["start"] == pd.Timestamp("2024-01-01")
    assert row["status"] == "implied" and row["qualifier"] == "approx"
    assert row["value"] == pytest.approx(294642.857, abs=0.001) and row["unit"] == "count"
    assert row["id"] == "implied from a + b" and row["locator"] == "P35;P36"
    assert format_observation(row) == "about 294,643"


def test_level_a_year_earlier_is_the_level_divided_by_one_plus_the_change():
    stated = make_obs({"period": "2025", "value": 165000.0, "unit": "count", "decimals": 0, "id": "a", "locator": "P35"}).iloc[0]
    change = make_obs({"period": "2025", "value": -44.0, "id": "b", "locator": "P36"}).iloc[0]
    row = level_a_year_earlier(stated, change, "new sellers").iloc[0]
    # 165,000 / 0.56 = 294,643, shown no more precisely than its two-figure input (44%): about 290,000.
    assert row["value"] == 290000 and row["period"] == "2024" and row["status"] == "implied"
    assert row["note"] == "165,000 new sellers were a change of -44.0% on the year before"


def test_implied_row_refuses_a_missing_value():
    stated = make_obs({"period": "2025", "value": 1.0}).iloc[0]
    with pytest.raises(ValueError, match="stays missing"):
        implied_row([stated], NAN, how="x")


@pytest.mark.parametrize(("period", "earlier"), [("2025", "2024"), ("2025Q3", "2024Q3"), ("2021/2025", "2020/2024"), ("2025-12-12", "2024-12-12")])
def test_year_earlier(period, earlier):
    assert year_earlier(period) == earlier


# --- pack-wide helpers on the real data ------------------------------------------------------


def test_summary_table_counts_every_section_from_the_checks():
    text = repr(checks.summary_table())
    result = checks.run_checks()
    sections = data.load_package().sections["id"].tolist()
    body = text.splitlines()[2:]
    assert [line.split()[0] for line in body] == sections
    for line, sec in zip(body, sections):
        counts = [int(x) for x in line.split()[-4:]]  # checks, consistent, inconsistent, not checkable
        verdicts = result.loc[result["section"] == sec, "verdict"]
        assert counts == [len(verdicts), *(int((verdicts == v).sum()) for v in (checks.CONSISTENT, checks.INCONSISTENT, checks.NOT_CHECKABLE))]


def test_scorecard_headline_is_the_latest_row_of_each_series():
    obs = data.observations()
    card = scorecard.scorecard(obs).set_index("theme")
    for theme in scorecard.THEMES:
        row = one(obs[obs["section"] == theme.headline.section], theme.headline.metric, **theme.headline.where)
        assert row is not None, f"{theme.name}: its series has no row in the data"
        assert card.at[theme.name, "headline"] == format_observation(row)
        assert card.at[theme.name, "period"] == row["period"]


def test_scorecard_moves_with_the_data(data_copy):
    from tests.conftest import set_cell

    set_cell(data_copy / "observations.csv", "s5-aidc-revenue-growth-2025q3", "value", "12")
    card = scorecard.scorecard(data.observations()).set_index("theme")
    assert card.at["AI", "headline"] == "12%"


def test_scorecard_says_not_given_before_a_series_starts():
    card = scorecard.scorecard(data.observations(as_of="2021")).set_index("theme")
    assert card.at["AI", "headline"] == "not given as of this period"


def test_an_empty_selection_has_period_columns():
    parsed = parse_periods(pd.Series([], dtype="str"))
    assert list(parsed.columns) == ["start", "end", "period_kind"] and parsed.empty
    assert data.observations(section="S6").empty


@pytest.mark.parametrize(("value", "decimals", "text"), [(30.0, 1, "about 30%"), (1.12, 2, "about $1.12")])
def test_approximate_figures_are_shown_round(value, decimals, text):
    unit = "usd" if decimals == 2 else "percent"
    row = {"qualifier": "approx", "value": value, "value_low": NAN, "value_high": NAN, "unit": unit, "decimals": decimals}
    assert format_observation(row) == text


# --- rows a cell cannot do without ------------------------------------------------------------


def test_need_returns_the_row_or_says_what_is_missing():
    obs = make_obs({"period": "2024", "value": 1.0}, {"period": "2025", "value": 2.0, "entity": "temu", "entity_label": "Temu"})
    assert need(obs, "m", entity="temu")["value"] == 2.0 and need(obs, "m", which="first")["value"] == 1.0
    assert one(obs, "m", entity="shein") is None  # `one` leaves the decision to the caller
    with pytest.raises(NotInData, match="^no figure of m for entity shein, market WLD$"):
        need(obs, "m", entity="shein", market="WLD")
    with pytest.raises(NotInData, match="^no figure of other$"):
        need_rows(obs, "other")
    assert need_rows(obs, "m", entity="temu")["id"].tolist() == ["row-1"]
    with pytest.raises(NotInData, match="^a platform that opened new markets$"):
        nonempty(obs[obs["value"] > 5], "a platform that opened new markets")


def test_a_missing_row_shows_as_one_line_not_a_traceback():
    lines = NotInData("no figure of m")._render_traceback_()
    assert lines == ["Not in the data as viewed: no figure of m. This part shows once data/ holds it (or at a later AS_OF)."]


@pytest.mark.parametrize("draw", ["trend", "strip", "ladder", "before_after", "timeline"])
def test_a_chart_of_no_rows_says_what_is_missing(draw):
    empty = make_obs({"period": "2025", "value": 1.0}).iloc[0:0]
    calls = {
        "trend": lambda: charts.trend(empty, "Growth fell", "s", show=False),
        "strip": lambda: charts.strip(empty, "Growth fell", "s", show=False),
        "ladder": lambda: charts.ladder(empty, "Growth fell", "s", show=False),
        "before_after": lambda: charts.before_after(empty, empty, "Growth fell", "s", show=False),
        "timeline": lambda: charts.timeline(make_events({"date": "2025"}).iloc[0:0], "Growth fell", "s", show=False),
    }
    with pytest.raises(NotInData, match="no rows to draw the chart 'Growth fell'"):
        calls[draw]()


# --- text from data is shown as text ---------------------------------------------------------

MARKUP = [
    '<b onmouseover="alert(1)">x</b> <img src=x onerror=alert(1)>',
    "[a](javascript:alert(1)) ![i](x) *b* _c_ `d` ~~e~~ | f \\ g $0.84 to $1.12 &lt; AT&T",
    "# not a heading",
    "- not a list",
    "+ nor this",
    "2025. not a numbered item",
    "[ ] not a task",
    "a line\n# broken in two",
]


def rendered_text(markdown: str, emphasis: int = 0) -> list[str]:
    """The text of each list item or table cell as the site renders the Markdown (nbconvert's mistune);
    `emphasis`: the helper's own italics (a table's caption)."""
    from html import unescape

    from nbconvert.filters import markdown2html

    html = markdown2html(markdown)
    assert "<b " not in html and "<img" not in html and "<a " not in html and "<code>" not in html and html.count("<em>") == emphasis
    assert "<h1" not in html and "<ol" not in html and 'type="checkbox"' not in html and html.count("<ul>") <= 1
    return [unescape(t) for t in re.findall(r"<(?:li|td)>(.*?)</(?:li|td)>", html, flags=re.S)]


def test_bullets_show_markup_from_data_as_text_and_keep_the_plain_text_as_it_is():
    shown = display.bullets(MARKUP, heading="<i>h</i>")
    assert rendered_text(shown._repr_markdown_()) == [line.replace("\n", " ") for line in MARKUP]
    assert repr(shown) == "<i>h</i>\n" + "\n".join(f"- {line}" for line in MARKUP)


def test_table_cells_and_captions_show_markup_from_data_as_text():
    shown = display.table(pd.DataFrame({"what": MARKUP}), caption="$1 and <u>$2</u>")
    assert rendered_text(shown._repr_markdown_(), emphasis=1) == [line.replace("\n", " ") for line in MARKUP]
    assert shown.markdown.startswith("*\\$1 and &lt;u&gt;\\$2&lt;/u&gt;*\n")
    assert MARKUP[0] in repr(shown) and "$0.84 to $1.12" in repr(shown)


# --- chart text is drawn as typed ------------------------------------------------------------

PRICES = "$0.84 to $1.12"  # two dollar signs: mathtext would set '0.84 to' in italics


def priced_chart(kind: str) -> charts.Chart:
    """A chart of each kind whose title, subtitle and labels hold two dollar amounts: a mark labelled
    '$0.84–$1.12' (a range in USD), rows, stages and legend entries named with PRICES (a ladder
    draws times only: there the row label holds them)."""
    title, subtitle = f"Cost rose from {PRICES}", f"USD, {PRICES}"
    usd = {"unit": "usd", "decimals": 2, "entity_label": f"Amazon {PRICES}"}
    price_range = make_obs({**usd, "period": "2025", "qualifier": "range", "value_low": 0.84, "value_high": 1.12})  # labelled '$0.84–$1.12'
    if kind == "trend":
        return charts.trend(
            make_obs(
                {**usd, "period": "2024", "value": 0.84},
                {**usd, "period": "2025", "qualifier": "range", "value_low": 0.84, "value_high": 1.12},
                {**usd, "period": "2025", "value": 2.0, "entity": "temu", "entity_label": f"Temu {PRICES}"},
            ),
            title,
            subtitle,
            show=False,
        )
    if kind == "strip":
        return charts.strip(price_range, title, subtitle, reference=1.0, reference_label=PRICES, show=False)
    if kind == "ladder":
        return charts.ladder(
            make_obs({"period": "2025", "value": 1.0, "unit": "days", "decimals": 0, "entity_label": f"Amazon {PRICES}"}), title, subtitle, show=False
        )
    if kind == "before_after":
        before = make_obs({**usd, "period": "2024", "value": 0.84})
        return charts.before_after(before, price_range, title, subtitle, stages=(f"before {PRICES}", "after"), show=False)
    if kind == "timeline":
        return charts.timeline(make_events({"date": "2025-04-09", "entity_label": f"Temu {PRICES}"}, {"date": ""}), title, subtitle, show=False)
    if kind in ("lines", "panels"):
        quarters = make_obs({**usd, "period": "2025Q1", "value": 0.84}, {**usd, "period": "2025Q2", "value": 1.12})
        quarters = quarters.assign(period_kind="quarter", segment="", metric="ad_cpc", metric_label=f"CPC {PRICES}")
        if kind == "lines":
            return charts.lines(quarters, title, subtitle, series=["entity_label", "metric_label"], show=False)
        return charts.panels(quarters, title, subtitle, show=False)
    if kind == "series_with_marks":
        months = pd.date_range("2024-01-01", "2024-06-01", freq="MS")
        series = pd.DataFrame({"date": months, "period": months.strftime("%Y-%m"), "yoy": [0.84, 0.9, None, 1.0, 1.1, 1.12], "citation": "Ref"})
        marks = make_obs(
            {**usd, "period": "2024-02", "value": 0.9}, {**usd, "period": "2024-04/2024-06", "qualifier": "range", "value_low": 0.84, "value_high": 1.12}
        )
        return charts.series_with_marks(series, marks, title, subtitle, series_label=f"reference {PRICES}", unit="usd", show=False)
    raise ValueError(kind)


def drawn(chart: charts.Chart):
    """The chart drawn on a canvas of its own (a shown chart's figure is closed): its renderer."""
    canvas = FigureCanvasAgg(chart.figure)
    canvas.draw()
    return canvas.get_renderer()


CHART_KINDS = ["trend", "strip", "ladder", "before_after", "timeline", "series_with_marks", "lines", "panels"]


def test_every_public_chart_function_is_covered():
    public = {name for name, fn in vars(charts).items() if inspect.isfunction(fn) and fn.__module__ == charts.__name__ and not name.startswith("_")}
    as_typed = {name for name in public if getattr(vars(charts)[name], "__wrapped__", None)}
    assert public == set(CHART_KINDS) == as_typed, "every chart function draws its text as typed, and is tested below"


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_dollar_amounts_are_never_read_as_mathematics(kind):
    # As in a session that never called style.apply_theme(): matplotlib's default reads '$...$' as maths.
    with matplotlib.rc_context({"text.parse_math": True}):
        chart = priced_chart(kind)
        drawn(chart)  # ticks are made when drawn
    texts = [t for t in chart.figure.findobj(matplotlib.text.Text) if "$" in t.get_text()]
    shown = [t.get_text() for t in texts]
    assert f"Cost rose from {PRICES}" in shown and f"USD, {PRICES}" in shown
    assert len([s for s in shown if s.count("$") >= 2]) >= 3, f"a label beside title and subtitle holds two amounts: {shown}"
    math = [t.get_text() for t in texts if t.get_parse_math() or t._preprocess_math(t.get_text())[1]]
    assert math == [], f"{kind}: drawn as mathematics: {math}"


def test_the_house_theme_reads_no_mathematics():
    with matplotlib.rc_context():
        from helpers.outputs import style

        style.apply_theme()
        assert matplotlib.rcParams["text.parse_math"] is False


# --- labels beside their own marks -----------------------------------------------------------


def assert_labels_follow_marks(chart: charts.Chart, marks: list[tuple[str, float, float]]) -> None:
    """marks: (label text, x, value) at one x, distinct texts. Each label sits on its own mark's
    side (the lowest's below it, the highest's above it), in the marks' order, none on another."""
    renderer = drawn(chart)
    ax = chart.figure.axes[0]
    placed = []
    for text, x, value in marks:
        (label,) = [t for t in ax.texts if t.get_text() == text]
        placed.append((value, label.get_window_extent(renderer), ax.transData.transform((x, value))[1], text))
    placed.sort(key=lambda p: p[0])
    (_, low_box, low_mark, low_text), (_, high_box, high_mark, high_text) = placed[0], placed[-1]
    assert low_box.y1 <= low_mark, f"{low_text}: the lowest mark's label goes below it"
    assert high_box.y0 >= high_mark, f"{high_text}: the highest mark's label goes above it"
    assert all(a[1].y1 <= b[1].y0 for a, b in zip(placed, placed[1:])), "labels are stacked as their marks, none on another"


def test_cpm_labels_sit_beside_their_own_marks():
    """Notebook 01's CPM chart, on the real rows: two platforms' close CPMs in one quarter."""
    cpm = need_rows(data.observations(section="S1"), "ad_cpm")
    chart = charts.trend(cpm, "t", "s", show=False)
    first = cpm[cpm["period"] == cpm["period"].iloc[0]]
    assert len(first) == 2, "the chart's first quarter has a figure of each platform"
    assert_labels_follow_marks(chart, [(format_observation(r), 0.0, r["value"]) for _, r in first.iterrows()])


@pytest.mark.parametrize("values", [(8.66, 9.17), (9.17, 8.66), (8.66, 9.17, 8.9)], ids=["lower-first", "higher-first", "three"])
def test_labels_of_close_marks_keep_the_marks_order_whatever_the_series_order(values):
    entities = ["facebook", "instagram", "amazon"]
    usd = {"period": "2024Q4", "unit": "usd", "decimals": 2}
    obs = make_obs(
        *({**usd, "value": v, "entity": e, "entity_label": e.title()} for v, e in zip(values, entities)),
        {**usd, "period": "2025Q4", "value": 10.48, "entity": "instagram", "entity_label": "Instagram", "status": "forecast"},
    )
    chart = charts.trend(obs, "t", "s", show=False)
    assert_labels_follow_marks(chart, [(f"${v:.2f}", 0.0, v) for v in values])


def test_labels_of_equal_marks_do_not_cover_each_other():
    obs = make_obs({"period": "2024", "value": 9.0}, {"period": "2024", "value": 9.0, "entity": "temu", "entity_label": "Temu"})
    chart = charts.trend(obs, "t", "s", show=False)
    renderer = drawn(chart)
    boxes = sorted((t.get_window_extent(renderer) for t in chart.figure.axes[0].texts if t.get_text() == "9.0%"), key=lambda b: b.y0)
    assert len(boxes) == 2 and boxes[0].y1 <= boxes[1].y0


def test_the_first_quarter_of_profit_after_a_loss_is_the_one_marked():
    ebita = {"unit": "cny", "metric": "adjusted_ebita", "metric_label": "Adjusted EBITA"}
    rows = make_obs(
        {**ebita, "period": "2025Q1", "value": -5e8, "id": "q1"},
        {**ebita, "period": "2025Q2", "value": -1e8, "id": "q2"},
        {**ebita, "period": "2025Q3", "value": 2e8, "id": "q3"},
        {**ebita, "period": "2025Q4", "value": 3e8, "id": "q4"},
    )
    assert charts._first_profit(rows)["id"] == "q3"
    assert charts._first_profit(rows[rows["id"].isin(["q3", "q4"])]) is None  # never a loss: no turn to mark
    growth = make_obs({"period": "2025Q1", "value": -5.0, "metric": "revenue_growth"}, {"period": "2025Q2", "value": 5.0, "metric": "revenue_growth"})
    assert charts._first_profit(growth) is None  # a growth rate crossing zero is not a profit


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_a_chart_is_cut_to_what_it_draws_labels_past_its_edge_included():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [0, 1])
    ax.annotate("a label that runs past the right edge", (1, 1), xytext=(10, 0), textcoords="offset points", annotation_clip=False)
    png = charts._png_of(fig)
    assert png == charts._png_of(fig), "the same figure gives the same bytes"
    width, height = _png_size(png)
    assert width > 400, "the label past the edge is inside the image"
    assert height < 300 + 2 * charts.MARGIN_INCHES * 100, "no empty room is left around what was drawn"
    # A mark far beyond the room around the figure: saved the slower, tight way, and still whole.
    ax.annotate("far away", (1, 1), xytext=(800, 0), textcoords="offset points", annotation_clip=False)
    assert _png_size(charts._png_of(fig))[0] > 400 + charts.ROOM_INCHES[2] * 100
    plt.close(fig)


def test_a_chart_drawn_past_its_room_gets_the_bytes_of_a_tight_save():
    import io

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [0, 1])
    ax.annotate("far away", (1, 1), xytext=(800, 0), textcoords="offset points", annotation_clip=False)
    png = charts._png_of(fig)
    tight = io.BytesIO()
    fig.savefig(tight, format="png", bbox_inches="tight", dpi=fig.dpi)
    assert png == tight.getvalue(), "the tight box measured on the draw already made is matplotlib's own"
    plt.close(fig)


def test_money_ticks_take_the_decimals_their_spacing_needs_all_alike():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [18.1e9, 18.5e9])
    ax.yaxis.set_major_formatter(charts._MoneyTicks(1e9, "bn"))
    for low, high, decimals in ((18.1e9, 18.5e9, 2), (0, 40e9, 0)):
        ax.set_ylim(low, high)
        fig.canvas.draw()
        ticks = ax.yaxis.get_majorticklocs()
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == [f"{t / 1e9:,.{decimals}f} bn" for t in ticks], labels
        assert len(set(labels)) == len(labels), "two ticks never read alike"
    # Asked for one label alone (no set of ticks given first), it reads the axis' ticks.
    alone = charts._MoneyTicks(1e9, "bn")
    alone.set_axis(ax.yaxis)
    assert alone(20e9) == "20 bn"
    plt.close(fig)


def test_panels_make_only_the_axes_they_fill_and_label_the_shared_axis_in_the_bottom_row():
    rows = [
        {
            "entity": e,
            "entity_label": e.title(),
            "period": q,
            "value": v,
            "metric": "growth",
            "metric_label": "Growth",
            "id": f"{e}-{q}",
        }
        for e in ("amazon", "temu", "shein", "ebay")
        for q, v in (("2025Q1", 5.0), ("2025Q2", 6.0))
    ]
    chart = charts.panels(make_obs(*rows), "t", "s", columns=3, show=False)
    axes = chart.figure.axes
    assert len(axes) == 4, "no axes made only to be hidden"
    assert all(ax.get_shared_x_axes().joined(axes[0], ax) for ax in axes)
    labelled = [ax.xaxis.get_major_ticks()[0].label1.get_visible() for ax in axes]
    # As plt.subplots(sharex=True) labels them: the grid's last row only, not the panels above its empty cells.
    assert labelled == [False, False, False, True], labelled


def test_a_cross_section_keeps_each_series_first_and_latest_figure():
    obs = data.observations()
    series = obs[obs.duplicated(["entity", "market", "segment", "metric"], keep=False) & (obs["period_kind"] == "quarter")]
    one = series[series["id"].str.startswith("s2-amazon-net-sales-growth-20")].sort_values("start")
    assert len(one) > 2
    kept = charts._first_and_latest(one.iloc[::-1])  # any order in, the same order out
    assert list(kept["id"]) == [one["id"].iloc[-1], one["id"].iloc[0]]
    single = obs.drop_duplicates(["entity", "market", "segment", "metric"]).head(5)
    assert charts._first_and_latest(single).equals(single), "series of one figure are drawn whole"
    assert charts._left_out_note(single, single) is None
    strip = charts.strip(one, "t", "s", show=False)
    assert list(strip.data["id"]) == [one["id"].iloc[0], one["id"].iloc[-1]]
    footer = [t.get_text() for t in strip.figure.texts if "figures table" in t.get_text()]
    assert footer and footer[0].startswith(f"{len(one) - 2} figures between"), footer


def test_a_long_trend_labels_its_first_latest_highest_and_lowest_marks():
    rows = pd.DataFrame({"value": [5.0, 9.0, 1.0, 4.0, 6.0, 3.0, 7.0, 2.0], "qualifier": "exact"}, index=list("abcdefgh"))
    assert charts._labelled_marks(rows) == {"a", "h", "b", "c"}
    assert charts._labelled_marks(rows.head(charts.MAX_LABELLED_MARKS)) == set(rows.index[: charts.MAX_LABELLED_MARKS])
