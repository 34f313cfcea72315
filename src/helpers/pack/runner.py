"""Execute the pack's notebooks, deterministically, and write them only when all succeed.

    python -m helpers.pack.runner --site site notebooks/*.ipynb   # in place, and the site (make notebooks)
    python -m helpers.pack.runner --as-of 2026Q1 --out reports/2026Q1 --site reports/2026Q1/site notebooks/*.ipynb

The data package is validated while the kernels start, and before any notebook runs, so bad input
stops the run before any notebook is touched. --jobs kernels (two by default) take the notebooks in
turn, longest first; each kernel is reset to a fresh kernel's state between notebooks (RESET_CODE
below), so a kernel start and the imports are paid once per kernel, not once per notebook. With
--site, each notebook's page is rendered as soon as it has run, while the other kernels work, and
the site is swapped in only once every notebook ran and was written.
With --as-of, the value is injected after the cell tagged `parameters` (papermill's convention)
and the executed copies go to --out; the committed notebooks are left alone. A cell that needs
rows the data does not hold as of that period stops with a one-line note (NotInData, from
helpers.views.select) and the rest of the notebook runs; the run lists those cells. Any other error,
and any error at all without --as-of (every row must then be there), fails the run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

from helpers.core.periods import period_bounds
from helpers.data import REPO_DATA_DIR, DataValidationError, load_package, print_warnings
from helpers.pack.notebook import MISSING_AS_OF, PARAMETERS_TAG, as_of_cell
from helpers.pack.site import SiteBuilder, SiteError, swap_in

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
        # A kernel that ran other notebooks before counts on from them; the cell's own count is the
        # one a fresh kernel gives (nbclient numbers the cells 1, 2, ...), and its result shows it.
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                out["execution_count"] = cell.get("execution_count")
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


NOTHING_EXECUTED = "no notebook was executed or written; fix the data and run again"
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


# A kernel executes several notebooks in turn (see WarmKernel). Before each notebook it is put back
# as a fresh kernel would be once its notebook has imported pyplot: the user namespace and the
# output history emptied, matplotlib's settings and figures, the warning filters and their
# "shown once" memory, and the working folder as they were. Imported modules stay imported: that
# is the time saved. The test run executes every notebook in a kernel of its own (nbval) and
# compares every output, charts' pixels included, with what this runner wrote.
FRESH_STATE_MODULE = "_pack_fresh_kernel_state"
# Run silently before each notebook: the first time, note the fresh state; every time, return to it.
RESET_CODE = f"""
def _pack_reset(cwd):
    import os, sys, types, warnings
    import matplotlib, matplotlib.pyplot
    fresh = sys.modules.get({FRESH_STATE_MODULE!r})
    if fresh is None:
        fresh = sys.modules[{FRESH_STATE_MODULE!r}] = types.SimpleNamespace(rc=dict(matplotlib.rcParams), filters=list(warnings.filters))
    matplotlib.pyplot.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dict.update(matplotlib.rcParams, fresh.rc)
    warnings.filters[:] = fresh.filters
    warnings._filters_mutated()  # forgets which warnings were already shown once
    os.chdir(cwd)
    get_ipython().run_line_magic("reset", "-f")
"""
KERNEL_ARGUMENTS = [
    # The kernel's own log only: it warns on every start that TCP on 127.0.0.1 is unencrypted.
    # Warnings raised by a cell's code still reach the cell's output. No history file: the kernel
    # is thrown away, and nothing of it should land in the home folder.
    "--IPKernelApp.log_level=ERROR",
    "--HistoryManager.hist_file=:memory:",
]


class WarmKernel:
    """One kernel that executes notebooks one after another, reset between them (RESET_CODE)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.km: AsyncKernelManager | None = None
        self.kc = None

    async def start(self) -> None:
        for attempt in (1, 2):
            self.km = AsyncKernelManager(kernel_name="python3")
            await self.km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(self.folder))
            self.kc = self.km.client()
            self.kc.start_channels()
            try:
                await self.kc.wait_for_ready(timeout=120)
                self.kc.allow_stdin = False
                return
            except RuntimeError as exc:
                # Kernels started side by side can, rarely, pick the same free port; the loser dies
                # before it replies (see tests/kernel_start.py). Start it once more.
                await self.stop()
                if attempt == 2 or DIED_STARTING not in str(exc):
                    raise

    async def execute(self, nb: nbformat.NotebookNode, as_of: str | None, folder: Path) -> None:
        if self.km is None:
            self.folder = folder
            await self.start()
        client = NotebookClient(
            nb,
            km=self.km,
            timeout=600,
            kernel_name="python3",
            record_timing=False,
            allow_error_names=[MISSING_AS_OF] if as_of else [],
            resources={"metadata": {"path": str(folder)}},
        )
        client.kc = self.kc  # one client for the kernel's life: a new one waits for the kernel again
        msg_id = self.kc.execute(RESET_CODE + f"_pack_reset({str(folder)!r})", silent=True, store_history=False)
        reply = await client.async_wait_for_reply(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            content = reply["content"] if reply else {}
            raise RuntimeError(f"the kernel could not be reset before the notebook: {content.get('ename')}: {content.get('evalue')}")
        await client.async_execute()

    async def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None and self.km.has_kernel:
            # Every output has arrived when the last cell is done: stop at once rather than wait.
            await self.km.shutdown_kernel(now=True)
        self.km = None


def failure(nb: nbformat.NotebookNode, exc: CellExecutionError, as_of: str | None) -> str:
    """Name the cell and its first line, without the traceback's terminal colours. Execution stopped
    at the last cell that holds an error (earlier ones may be allowed notes)."""
    failed = next((i for i in reversed(range(len(nb.cells))) if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))), None)
    where = "a cell"
    if failed is not None:
        heading = heading_of(nb, failed)
        where = f"the cell {first_line(nb, failed)!r}" + (f" under {heading!r}" if heading else "")
    hint = ""
    if as_of:
        # A missing row read through need/need_rows/nonempty would have been a note, not this.
        hint = f"; if the data as of {as_of} lacks rows this cell reads, select them with need, need_rows or nonempty (helpers.views.select) so that it stops with a note"
    return f"{where} raised {exc.ename}: {exc.evalue}{hint}"


Result = tuple[str, "nbformat.NotebookNode | None", "str | None"]


async def execute_all(
    paths: list[str],
    as_of: str | None,
    jobs: int,
    on_done: Callable[[str, nbformat.NotebookNode], None] | None = None,
    first: Callable[[], None] | None = None,
) -> list[Result]:
    """Execute the notebooks on `jobs` kernels, each taking the next notebook when it is free.
    Returns (path, executed notebook or None, error or None) in the order of `paths`. `first` runs
    (in a thread) while the kernels start, and before any notebook is executed: if it raises, the
    kernels are stopped and nothing runs. `on_done` is called with each notebook that ran, in one
    thread of its own, as it finishes (the site renders its page while the other kernels work)."""
    # Longest first, so that no kernel is left with a long notebook while the others sit idle; a
    # notebook's size on disk (its stored outputs: charts and tables) stands in for its running time.
    queue = sorted(paths, key=lambda p: -Path(p).stat().st_size)
    results: dict[str, Result] = {}
    done: list[asyncio.Future] = []
    folder = Path(paths[0]).parent.resolve() if paths else ROOT
    kernels = [WarmKernel(folder) for _ in range(max(1, min(jobs, len(paths))))]
    loop = asyncio.get_running_loop()
    # One thread for on_done: the site's exporter is not made to render two pages at once.
    one_at_a_time = ThreadPoolExecutor(max_workers=1)

    async def worker(kernel: WarmKernel) -> None:
        while queue:
            path = queue.pop(0)
            nb = nbformat.read(path, as_version=4)
            if as_of:
                nb.metadata["path"] = path
                inject_parameters(nb, as_of)
                nb.metadata.pop("path", None)
            try:
                await kernel.execute(nb, as_of, Path(path).parent.resolve())
            except CellExecutionError as exc:
                results[path] = (path, None, failure(nb, exc, as_of))
                continue
            except (DeadKernelError, RuntimeError) as exc:
                results[path] = (path, None, f"the kernel stopped: {exc}")
                await kernel.stop()  # the next notebook starts a new one
                continue
            normalise(nb)
            results[path] = (path, nb, None)
            if on_done is not None:
                done.append(loop.run_in_executor(one_at_a_time, on_done, path, nb))

    try:
        starting = [asyncio.ensure_future(k.start()) for k in kernels]
        if first is not None:
            try:
                await asyncio.to_thread(first)
            except BaseException:
                await asyncio.gather(*starting, return_exceptions=True)
                raise
        await asyncio.gather(*starting)
        await asyncio.gather(*(worker(k) for k in kernels))
        await asyncio.gather(*done)
    finally:
        await asyncio.gather(*(k.stop() for k in kernels), return_exceptions=True)
        one_at_a_time.shutdown(wait=True)
    return [results[p] for p in paths]


def execute(path: str, as_of: str | None) -> Result:
    """One notebook on a kernel of its own: (path, executed notebook or None, error or None)."""
    return asyncio.run(execute_all([path], as_of, 1))[0]


def validate_data() -> None:
    try:
        package = load_package()
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        print(NOTHING_EXECUTED, file=sys.stderr)
        raise SystemExit(1) from None
    print_warnings(package, file=sys.stderr)  # figures that may be right: shown, never stopping the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--as-of", help="period to render the pack as of, e.g. 2026Q1")
    parser.add_argument("--out", help="folder for the executed copies (default: in place)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--site", type=Path, help="also render the site into this folder, from the notebooks as executed")
    args = parser.parse_args(argv)
    if args.as_of and not args.out:
        parser.error("--as-of writes copies: give --out")
    if args.as_of:
        try:
            period_bounds(args.as_of)
        except ValueError as exc:
            parser.error(str(exc))

    paths = sorted(args.notebooks)
    builder: list[SiteBuilder] = []

    def prepare() -> None:
        print_warnings(load_package(), file=sys.stderr)  # figures that may be right: shown, never stopping the run
        if args.site:
            builder.append(SiteBuilder())
            builder[0].check_names([Path(p).name for p in paths])

    def render_page(path: str, nb: nbformat.NotebookNode) -> None:
        builder[0].add(Path(path).name, nb)

    try:
        results = asyncio.run(execute_all(paths, args.as_of, args.jobs, on_done=render_page if args.site else None, first=prepare))
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        print(NOTHING_EXECUTED, file=sys.stderr)
        return 1
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("no notebook was written and the site was not built", file=sys.stderr)
        return 1

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
    if args.site:
        cards = swap_in(args.site, builder[0].write)
        print(f"site: {sum(1 for c in cards if c.page)} page(s) and index.html in {args.site}")
    return 0


if __name__ == "__main__":
    # As in helpers.pack.site: the imports' objects live as long as the command, so the collector
    # need not search them for cycles again, during the run nor on the way out.
    gc.freeze()
    raise SystemExit(main())
