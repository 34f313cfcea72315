"""The tidy views the notebooks read: observations and events joined to their vocabularies and sources."""

from __future__ import annotations

import pandas as pd

from helpers.core.periods import period_bounds
from helpers.data.package import Package, load_package
from helpers.data.rules import _parse_periods

# --- tidy views for the notebooks ------------------------------------------------------------


def source_citations(sources: pd.DataFrame) -> pd.Series:
    """'Marketplace Pulse via Innovation-Insight (2026-02-04)', keyed by source id."""
    # In plain Python: a hundred-odd sources, and every observations() and events() call asks.
    ids, publishers, dates, vias = (sources[c].tolist() for c in ("id", "publisher", "date_published", "via"))
    own = {i: publisher + (f" ({date})" if date != "" else "") for i, publisher, date in zip(ids, publishers, dates)}
    cited = [own[i] if via == "" else f"{publisher} via {own.get(via, '')}" for i, publisher, via in zip(ids, publishers, vias)]
    return pd.Series(cited, index=pd.Index(ids, dtype=sources["id"].dtype, name="id"), name="publisher", dtype=sources["publisher"].dtype)


def _in_view(table: pd.DataFrame, column: str, section: str | None, as_of: str | None) -> pd.DataFrame:
    """A table's rows of one section (or all) with their period bounds, up to the end of `as_of`.

    A row with no date (an undated event) is kept: nothing says it came after the period."""
    if section:
        table = table[table["section"] == section]
    table = table.join(_parse_periods(table[column]))
    if as_of:
        table = table[table["end"].isna() | (table["end"] <= period_bounds(as_of)[1])]
    return table


def observations(section: str | None = None, as_of: str | None = None, package: Package | None = None) -> pd.DataFrame:
    """Observations joined to their metric, entity, market and source, with period bounds.

    ``as_of`` (a period such as "2025Q4") keeps the figures whose period ends by the end of it.
    """
    pkg = package or load_package()
    obs = _in_view(pkg.observations, "period", section, as_of)
    looked_up = {
        **_looked_up(obs["metric"], pkg.metrics, "id", {"label": "metric_label", "unit": "unit", "decimals": "decimals"}),
        **_looked_up(obs["entity"], pkg.entities, "id", {"label": "entity_label", "kind": "entity_kind"}),
        **_looked_up(obs["market"], pkg.markets, "code", {"name": "market_name"}),
    }
    out = obs.assign(
        **looked_up,
        citation=obs["source_id"].map(source_citations(pkg.sources)),
        # When the figure was published: what the article could have known, for the checks.
        source_published=obs["source_id"].map(pkg.sources.set_index("id")["date_published"]),
    )
    return out.reset_index(drop=True)


def _looked_up(keys: pd.Series, table: pd.DataFrame, key: str, columns: dict[str, str]) -> dict[str, pd.Series]:
    """table's columns (renamed) for each of keys, as keys.to_frame().join(table.set_index(key), on=...)
    gives them for a table with unique keys (a key it lacks gets a missing value): taken by position,
    a few times faster than three joins on every call, and every notebook calls it."""
    positions = pd.Index(table[key]).get_indexer(keys)
    return {name: pd.Series(table[column].array.take(positions, allow_fill=True), index=keys.index) for column, name in columns.items()}


def article_date(package: Package | None = None) -> str:
    """The analysed article's publication date (YYYY-MM-DD), from sources.csv."""
    pkg = package or load_package()
    return str(pkg.sources.set_index("id").at[pkg.article, "date_published"])


def events(section: str | None = None, as_of: str | None = None, package: Package | None = None) -> pd.DataFrame:
    """Dated events joined to entity labels; undated events are kept, with no start."""
    pkg = package or load_package()
    ev = _in_view(pkg.events, "date", section, as_of)
    entities = pkg.entities.set_index("id")[["label"]].rename(columns={"label": "entity_label"})
    markets = pkg.markets.set_index("code")[["name"]].rename(columns={"name": "market_name"})
    out = ev.join(entities, on="entity").join(markets, on="market")
    return out.assign(citation=out["source_id"].map(source_citations(pkg.sources))).reset_index(drop=True)
