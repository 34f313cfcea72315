"""Execute the pack's notebooks, deterministically, and write them only when all succeed.

    python -m helpers.pack.runner notebooks/*.ipynb              # in place (make notebooks)
    python -m helpers.pack.runner --as-of 2026Q1 --out reports/2026Q1 notebooks/*.ipynb

The data package is validated first, so bad input stops the run before any notebook is touched.
With --as-of, the value is injected after the cell tagged `parameters` (papermill's convention)
and the executed copies go to --out; the committed notebooks are left alone. A cell that needs
rows the data does not hold as of that period stops with a one-line note (NotInData, from
helpers.views.select) and the rest of the notebook runs; the run lists those cells. Any other error,
and any error at all without --as-of (every row must then be there), fails the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers.core.periods import period_bounds
from helpers.data import REPO_DATA_DIR, DataValidationError, load_package, print_warnings
from helpers.pack.notebook import MISSING_AS_OF, PARAMETERS_TAG, as_of_cell

ROOT = REPO_DATA_DIR.parent  # the repository: notebooks/, data/, site/
# Fixed so that re-running an unchanged notebook changes no byte: no timing, no per-run ids.
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled")


def inject_parameters(nb: nbformat.NotebookNode, as_of: str) -> None:
    """Insert `AS_OF = ...` after the cell tagged `parameters`, as papermill would."""
    for i, cell in enumerate(nb.cells):
        if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            nb.cells.insert(i + 1, as_of_cell(as_of))
            return
    raise SystemExit(f"error: {nb.metadata.get('path', 'notebook')} has no cell tagged '{PARAMETERS_TAG}'")


def normalise(nb: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


DIED_STARTING = "Kernel died before replying to kernel_info"


def heading_of(nb: nbformat.NotebookNode, index: int) -> str | None:
    """The question heading above a cell: its nearest Markdown '## ' line."""
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown":
            found = [line[3:].strip() for line in cell.source.splitlines() if line.startswith("## ")]
            if found:
                return found[-1]
    return None


def first_line(nb: nbformat.NotebookNode, index: int) -> str:
    return (nb.cells[index].source.splitlines() or [""])[0][:60]


def not_in_data(nb: nbformat.NotebookNode) -> list[str]:
    """'heading: what is missing' for each cell that stopped on NotInData."""
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") == MISSING_AS_OF:
                found.append(f"{heading_of(nb, index) or first_line(nb, index)}: {out.get('evalue', '')}")
    return found


def execute(path: str, as_of: str | None) -> tuple[str, nbformat.NotebookNode | None, str | None]:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["path"] = path
    if as_of:
        inject_parameters(nb, as_of)
    nb.metadata.pop("path", None)

    def client() -> NotebookClient:
        return NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            record_timing=False,
            allow_error_names=[MISSING_AS_OF] if as_of else [],
            # Every output has arrived when the last cell is done: stop the kernel at once rather than
            # wait, a second or more, for it to wind down by itself.
            shutdown_kernel="immediate",
            # The kernel's own log only: it warns on every start that TCP on 127.0.0.1 is unencrypted.
            # Warnings raised by a cell's code still reach the cell's output. No history file: the
            # kernel is thrown away, and nothing of it should land in the home folder.
            extra_arguments=["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"],
            resources={"metadata": {"path": str(Path(path).parent.resolve())}},
        )

    try:
        try:
            client().execute()
        except RuntimeError as exc:
            # Kernels started side by side can, rarely, pick the same free port; the loser dies
            # before any cell runs (see tests/kernel_start.py). Start it once more.
            if DIED_STARTING not in str(exc):
                raise
            client().execute()
    except CellExecutionError as exc:
        # Name the cell and its first line, without the traceback's terminal colours.
        # Execution stopped at the last cell that holds an error (earlier ones may be allowed notes).
        failed = next((i for i in reversed(range(len(nb.cells))) if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))), None)
        where = "a cell"
        if failed is not None:
            heading = heading_of(nb, failed)
            where = f"the cell {first_line(nb, failed)!r}" + (f" under {heading!r}" if heading else "")
        hint = ""
        if as_of:
            # A missing row read through need/need_rows/nonempty would have been a note, not this.
            hint = f"; if the data as of {as_of} lacks rows this cell reads, select them with need, need_rows or nonempty (helpers.views.select) so that it stops with a note"
        return path, None, f"{where} raised {exc.ename}: {exc.evalue}{hint}"
    normalise(nb)
    return path, nb, None


def validate_data() -> None:
    try:
        package = load_package()
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        print("no notebook was executed or written; fix the data and run again", file=sys.stderr)
        raise SystemExit(1) from None
    print_warnings(package, file=sys.stderr)  # figures that may be right: shown, never stopping the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--as-of", help="period to render the pack as of, e.g. 2026Q1")
    parser.add_argument("--out", help="folder for the executed copies (default: in place)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    if args.as_of and not args.out:
        parser.error("--as-of writes copies: give --out")
    if args.as_of:
        try:
            period_bounds(args.as_of)
        except ValueError as exc:
            parser.error(str(exc))

    validate_data()
    paths = sorted(args.notebooks)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(execute, paths, [args.as_of] * len(paths)))

    failed = [(p, err) for p, nb, err in results if err]
    for path, err in failed:
        print(f"error: {path} failed: {err}", file=sys.stderr)
    if failed:
        print("no notebook was written: every notebook must run before any is replaced", file=sys.stderr)
        return 1

    out_dir = Path(args.out) if args.out else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    for path, nb, _ in results:
        target = out_dir / Path(path).name if out_dir else Path(path)
        # Write to a temporary file first so an interrupted run never leaves half a notebook.
        with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".ipynb", delete=False, encoding="utf-8") as tmp:
            nbformat.write(nb, tmp)
        os.replace(tmp.name, target)
        print(f"executed {path} -> {target}")
        for what in not_in_data(nb):
            print(f"  not in the data as of {args.as_of}: {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
