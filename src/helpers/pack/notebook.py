"""The notebook contract, defined once: what every section notebook holds and how the runner and
the site builder find it. A notebook has one cell tagged `parameters` that sets AS_OF; the runner
injects a cell tagged `injected-parameters` after it; findings sit under the `## Key findings`
heading, verdicts under `## Checks`, the watch list under `## What to watch next quarter`; a part
whose rows the data lacks as of the period stops with the select layer's NotInData.
"""

from __future__ import annotations

import ast

import nbformat

from helpers.views.select import NotInData

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
AS_OF = "AS_OF"
KEY_FINDINGS = "## Key findings"
CHECKS = "## Checks"
WATCH = "## What to watch next quarter"
HEADINGS = (KEY_FINDINGS, CHECKS, WATCH)
# The error a cell raises when the data as viewed lacks its rows: a note, not a failure, as of a period.
MISSING_AS_OF = NotInData.__name__


def as_of_cell(as_of: str) -> nbformat.NotebookNode:
    """The cell the runner injects after the parameters cell (papermill's convention)."""
    cell = nbformat.v4.new_code_cell(f"# Parameters injected for this run\n{AS_OF} = {as_of!r}")
    cell.metadata["tags"] = [INJECTED_TAG]
    return cell


def injected_as_of(nb: nbformat.NotebookNode) -> str | None:
    """The period a notebook was executed as of, read back from its injected cell, or None."""
    for cell in nb.cells:
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell.source) if isinstance(cell.source, list) else cell.source
            for node in ast.parse(source).body:
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == AS_OF for t in node.targets):
                    value = ast.literal_eval(node.value)
                    return None if value is None else str(value)
    return None
