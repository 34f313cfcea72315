"""How fast is the pack, against what executing notebooks physically costs? (`make bench`)

    python -m helpers.pack.bench                   # the four figures below, median of 3 runs each
    python -m helpers.pack.bench --only notebooks  # (1) and (4): make notebooks, its floor, ten times the rows
    python -m helpers.pack.bench --only test       # (2) make test against its floor
    python -m helpers.pack.bench --only validate   # (3) make validate, on the pack's data and on 1,000,000 rows

(1) `make notebooks` (execute every notebook, write it, render the site) against its floor: as many
    notebooks as the pack has, whose one cell only imports pandas, seaborn, matplotlib.pyplot and
    helpers, executed with nbclient two at a time (kernel starts and imports, nothing else).
    Target: at most 1.5 x the floor. To show where a gap comes from, the pack's own notebooks are
    also executed exactly as the floor's are (nothing written, no site).
(2) `make test` (everything included, the environment present) against its floor: the same bare
    notebooks under the test run's own command (pytest --nbval -n 2 --dist loadfile ...).
    Target: at most 4 x the floor. The pack's notebooks alone under that command show how much of
    the gap is theirs.
(3) `make validate` on the pack's data: under 1 s; on a synthetic observations.csv of 1,000,000 rows
    (a temporary copy of data/, rows drawn from the real rows' vocabularies): under 5 s. Both are
    whole commands (make, interpreter start and imports included). Also: data.observations(
    section="S1") on the real data, cold, in a fresh process (imports excluded): under 100 ms.
(4) Growth: `make notebooks` on data with ten times the rows (every series of observations.csv
    continued into the periods that follow, as the watch lists name them) against `make notebooks`
    on today's data. Target: at most 1.2 x.

`make notebooks` runs here on copies of the notebooks, into a temporary site (the Makefile's
NOTEBOOKS and SITE), so benchmarking never rewrites the committed notebooks or site/. The commands
compared in one ratio alternate run by run, so a busy moment of the machine hits them alike.
Each figure shows its runs and their median; a figure over its target says OVER TARGET and makes
the exit status 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from helpers.core.periods import next_period, period_bounds
from helpers.data import REPO_DATA_DIR

ROOT = REPO_DATA_DIR.parent  # the repository: notebooks/, data/, site/
PYTHON = sys.executable
JOBS = os.environ.get("JOBS", "2")
# The test run's command, from the Makefile's `test` target: the floor runs under the same machinery.
NBVAL = ["-m", "pytest", "-n", JOBS, "--dist", "loadfile", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
FLOOR_CELL = "import matplotlib.pyplot as plt\nimport pandas as pd\nimport seaborn as sns\n\nimport helpers"
TARGET_NOTEBOOKS_RATIO, TARGET_TEST_RATIO, TARGET_GROWTH_RATIO = 1.5, 4.0, 1.2
TARGET_VALIDATE_S, TARGET_SCALE_S, TARGET_LOAD_MS = 1.0, 5.0, 100.0
SCALE_ROWS = 1_000_000
GROWTH_FACTOR = 10

# The floor of `make notebooks`: notebooks executed with nbclient, `jobs` at a time, nothing written.
NBCLIENT_RUN = """
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(Path(path).parent)}}).execute()


if __name__ == "__main__":
    with ProcessPoolExecutor(int(sys.argv[1])) as pool:
        list(pool.map(execute, sys.argv[2:]))
"""


def pack_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)
    return time.perf_counter() - start, result


def checked(what: str, cmd: list[str], **kw) -> float:
    """Seconds a command took; a command that fails stops the benchmark (its time would mean nothing)."""
    seconds, result = timed(cmd, **kw)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"error: {what} failed (exit {result.returncode}): {' '.join(cmd)}")
    return seconds


def summary_line(result: subprocess.CompletedProcess) -> str:
    """pytest's last line ('12 passed in 3.4s'), or the tail of the output when it has none."""
    lines = [ln.strip("= ") for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    tail = next((ln for ln in reversed(lines) if " passed" in ln or " failed" in ln or " error" in ln), lines[-1] if lines else "")
    return tail


def write_floor_notebooks(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(1, n + 1):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        paths.append(folder / f"{i:02d}-floor.ipynb")
        nbformat.write(nb, paths[-1])
    return paths


def fmt_runs(runs: list[float], unit: str = "s", scale: float = 1.0) -> str:
    shown = " ".join(f"{r * scale:.2f}" if unit == "s" else f"{r * scale:.0f}" for r in runs)
    return f"(runs: {shown} {unit})"


def timing(label: str, runs: list[float]) -> str:
    return f"{label}: {statistics.median(runs):.2f} s {fmt_runs(runs)}"


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER TARGET"


def ratio_line(label: str, over: list[float], under: list[float], target: float) -> tuple[bool, str]:
    """'label = 1.23 (target: at most 1.5) OK': the ratio of the two medians against its target."""
    ratio = statistics.median(over) / statistics.median(under)
    ok = ratio <= target
    return ok, f"{label} = {ratio:.2f} (target: at most {target}) {verdict(ok)}"


# --- (1) and (4): make notebooks --------------------------------------------------------------


def make_notebooks_cmd(notebooks: list[Path], site: Path) -> list[str]:
    """`make notebooks` on copies: the Makefile's own recipe, its NOTEBOOKS and SITE pointed elsewhere."""
    return ["make", "--no-print-directory", "notebooks", f"NOTEBOOKS={' '.join(map(str, notebooks))}", f"SITE={site}"]


def copy_notebooks(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    return [Path(shutil.copy2(p, folder / p.name)) for p in pack_notebooks()]


def bench_notebooks(runs: int) -> bool:
    notebooks = pack_notebooks()
    n = len(notebooks)
    print(f"(1) make notebooks: {n} notebooks, {JOBS} at a time, median of {runs} runs; floor, the notebooks alone,", flush=True)
    print(f"    make notebooks and make notebooks on {GROWTH_FACTOR} x the rows alternate", flush=True)
    floor, alone, today, grown = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="pack-notebooks-") as tmp:
        tmp = Path(tmp)
        (tmp / "floor").mkdir()
        floor_paths = write_floor_notebooks(tmp / "floor", n)
        (tmp / "nbclient_run.py").write_text(NBCLIENT_RUN, encoding="utf-8")
        nbclient = [PYTHON, str(tmp / "nbclient_run.py"), JOBS]
        grown_data = tmp / "grown" / "data"
        shutil.copytree(ROOT / "data", grown_data)
        real_rows, rows = growth_observations(ROOT / "data" / "observations.csv", grown_data / "observations.csv", GROWTH_FACTOR)
        grown_env = {**os.environ, "PACK_DATA_DIR": str(grown_data)}
        for i in range(runs):
            floor.append(checked("the floor notebooks", [*nbclient, *map(str, floor_paths)]))
            alone.append(checked("the pack's notebooks under nbclient", [*nbclient, *map(str, notebooks)]))
            run = tmp / f"run-{i}"
            today.append(checked("make notebooks", make_notebooks_cmd(copy_notebooks(run / "today"), run / "today-site")))
            grown.append(
                checked(f"make notebooks on {GROWTH_FACTOR} x the rows", make_notebooks_cmd(copy_notebooks(run / "grown"), run / "grown-site"), env=grown_env)
            )
            shutil.rmtree(run)
            print(
                f"    run {i + 1}: floor {floor[-1]:.2f} s, notebooks alone {alone[-1]:.2f} s, make notebooks {today[-1]:.2f} s, "
                f"on {GROWTH_FACTOR} x the rows {grown[-1]:.2f} s",
                flush=True,
            )
    print("    " + timing(f"floor ({n} import-only notebooks, nbclient, {JOBS} at a time)", floor))
    print("    " + timing("make notebooks", today))
    ok, line = ratio_line("make notebooks / floor", today, floor, TARGET_NOTEBOOKS_RATIO)
    print("    " + line)
    f, a, t = (statistics.median(x) for x in (floor, alone, today))
    # make notebooks starts one kernel per job, not per notebook, so it can beat the notebooks run alone.
    rest = (
        f"the rest of make notebooks (validating, writing, the site) adds {t - a:.2f} s"
        if t >= a
        else (f"make notebooks, its kernels shared between notebooks and the site included, takes {a - t:.2f} s less")
    )
    print(
        f"    where the time goes: the pack's notebooks alone, executed as the floor's are (a kernel each), {a:.2f} s {fmt_runs(alone)}, {a / f:.2f} x the floor; {rest}"
    )
    print(f"(4) growth: observations.csv from {real_rows} to {rows} rows, every series continued")
    print("    " + timing(f"make notebooks on {GROWTH_FACTOR} x the rows", grown))
    grown_ok, line = ratio_line(f"make notebooks on {GROWTH_FACTOR} x the rows / on today's", grown, today, TARGET_GROWTH_RATIO)
    print("    " + line)
    return ok and grown_ok


def growth_observations(source: Path, target: Path, factor: int = GROWTH_FACTOR) -> tuple[int, int]:
    """The real rows, then every series (entity, market, segment, metric) continued past its latest
    row into the periods that follow it (helpers.watch.next_period: 2025Q4, 2026Q1, ...; a day or an
    interval a year later), until each series has `factor` times its rows. Each new row repeats its
    series' latest figure, qualifier, status, source and place, with a unique id, so the result is
    valid whenever the real rows are. Returns (real rows, rows written)."""
    with source.open(newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    header, real = table[0], table[1:]
    col = {name: i for i, name in enumerate(header)}
    series: dict[tuple[str, ...], list[list[str]]] = {}
    for row in real:
        series.setdefault(tuple(row[col[c]] for c in ("entity", "market", "segment", "metric")), []).append(row)
    added = []
    for rows in series.values():
        latest = max(rows, key=lambda r: _period_order(r[col["period"]]))
        period = latest[col["period"]]
        for _ in range(len(rows) * (factor - 1)):
            period = next_period(period)
            row = list(latest)
            row[col["id"]] = f"growth-{len(added):06d}"
            row[col["period"]] = period
            row[col["note"]] = "Synthetic row of the growth benchmark (helpers.pack.bench)."
            added.append(row)
    with target.open("w", encoding="utf-8", newline="") as out:
        out.write(source.read_text(encoding="utf-8"))
        csv.writer(out, lineterminator="\n").writerows(added)
    return len(real), len(real) + len(added)


def _period_order(period: str) -> tuple:
    start, end = period_bounds(period)
    return end, start


# --- (2): make test ---------------------------------------------------------------------------


def bench_test(runs: int) -> bool:
    notebooks = pack_notebooks()
    n = len(notebooks)
    print(f"(2) make test: {n} notebooks, {JOBS} workers, median of {runs} runs; floor, the notebooks alone and make test alternate", flush=True)
    floor, alone, test, outcomes = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="pack-floor-") as tmp:
        write_floor_notebooks(Path(tmp), n)
        # Same ini file (addopts, warning filters) as the test run; only the collected files differ.
        floor_cmd = [PYTHON, *NBVAL, "-c", str(ROOT / "pyproject.toml"), "--rootdir", tmp, "-q", tmp]
        notebooks_cmd = [PYTHON, *NBVAL, "-q", *map(str, notebooks)]
        for i in range(runs):
            floor.append(checked("the floor notebooks under nbval", floor_cmd))
            alone.append(checked("the pack's notebooks under nbval", notebooks_cmd))
            seconds, result = timed(["make", "--no-print-directory", "test"])
            test.append(seconds)
            outcomes.append((result.returncode, summary_line(result)))
            print(f"    run {i + 1}: floor {floor[-1]:.2f} s, notebooks alone {alone[-1]:.2f} s, make test {test[-1]:.2f} s ({outcomes[-1][1]})", flush=True)
    print("    " + timing(f"floor ({n} import-only notebooks under the test run's pytest/nbval)", floor))
    print("    " + timing("make test", test) + f"; last run: exit {outcomes[-1][0]}, {outcomes[-1][1]}")
    ok, line = ratio_line("make test / floor", test, floor, TARGET_TEST_RATIO)
    print("    " + line)
    f, a, t = (statistics.median(x) for x in (floor, alone, test))
    print(
        f"    where the time goes: the {n} notebooks alone under nbval take {a:.2f} s {fmt_runs(alone)}, "
        f"{a / f:.2f} x the floor; the rest of make test (unit, browser, JupyterLab and carry-forward tests) adds {t - a:.2f} s"
    )
    if any(code != 0 for code, _ in outcomes):
        print("    note: make test did not pass in every run; its time still counts every test it ran")
    return ok


# --- scale ------------------------------------------------------------------------------------


def _encode(value: str) -> str:
    if value == "":
        return ""  # csv.writer would write "" for a row of one empty field
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([value])
    return buf.getvalue()


def synthetic_observations(source: Path, target: Path, rows: int, seed: int = 2026) -> None:
    """The real rows, then synthetic rows up to `rows`: every column drawn from the real rows'
    values, keeping together the columns that validation relates (section with its locator and
    source, the qualifier with the value columns it fills), each with a unique id. The result is
    valid whenever the real rows are."""
    with source.open(newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    header, real = table[0], table[1:]
    col = {name: i for i, name in enumerate(header)}
    # A locator belongs to its source as much as to its section: an article paragraph never lands
    # on a company release, nor a release's "Highlights" on the article.
    groups = [["section", "locator", "source_id"], ["value", "value_low", "value_high", "qualifier"]]
    grouped = {c for g in groups for c in g}
    groups += [[c] for c in header if c not in grouped and c != "id"]
    # Each group's distinct combinations, CSV-encoded once.
    vocab = {tuple(g): sorted({tuple(_encode(r[col[c]]) for c in g) for r in real}) for g in groups}
    rng = random.Random(seed)
    extra = rows - len(real)
    picks = {g: rng.choices(v, k=extra) for g, v in vocab.items()}
    columns = {"id": [f"synthetic-{i:07d}" for i in range(extra)]}
    for g, chosen in picks.items():
        for j, c in enumerate(g):
            columns[c] = [combo[j] for combo in chosen]
    lines = map(",".join, zip(*(columns[c] for c in header)))
    with target.open("w", encoding="utf-8", newline="") as out:
        out.write(source.read_text(encoding="utf-8"))
        out.write("\n".join(lines))
        out.write("\n")


LOAD_SNIPPET = """
import json, time
import pandas
from helpers import data
start = time.perf_counter()
obs = data.observations(section="S1")
print(json.dumps({"seconds": time.perf_counter() - start, "rows": len(obs)}))
"""


def run_snippet(snippet: str, *args: str) -> dict:
    result = subprocess.run([PYTHON, "-c", snippet, *args], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"error: benchmark snippet failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def make_validate(env: dict | None = None, rows: int | None = None) -> float:
    seconds, result = timed(["make", "--no-print-directory", "validate"], env=env)
    if result.returncode != 0 or (rows is not None and f"valid: {rows} observations" not in result.stdout):
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"error: make validate failed or did not check {rows} rows")
    return seconds


def bench_validate(runs: int) -> bool:
    print(f"(3) make validate: whole commands, median of {runs} runs; the pack's data and 1,000,000 rows alternate", flush=True)
    real, scale = [], []
    with tempfile.TemporaryDirectory(prefix="pack-scale-") as tmp:
        data_dir = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data_dir)
        start = time.perf_counter()
        synthetic_observations(ROOT / "data" / "observations.csv", data_dir / "observations.csv", SCALE_ROWS)
        size = (data_dir / "observations.csv").stat().st_size / 1e6
        print(f"    generated {SCALE_ROWS:,} observation rows ({size:.0f} MB) in {time.perf_counter() - start:.1f} s", flush=True)
        scale_env = {**os.environ, "PACK_DATA_DIR": str(data_dir)}
        for _ in range(runs):
            real.append(make_validate())
            scale.append(make_validate(scale_env, SCALE_ROWS))
    ok = True
    for label, times, target in (("on the pack's data", real, TARGET_VALIDATE_S), (f"on {SCALE_ROWS:,} synthetic rows", scale, TARGET_SCALE_S)):
        good = statistics.median(times) < target
        ok &= good
        print(f"    {timing(f'make validate {label}', times)} (target: under {target:.0f} s) {verdict(good)}")
    loads = [run_snippet(LOAD_SNIPPET) for _ in range(max(runs, 5))]
    m = statistics.median(x["seconds"] for x in loads) * 1000
    good = m < TARGET_LOAD_MS
    ok &= good
    print(
        f'    data.observations(section="S1") cold, real data ({loads[0]["rows"]} rows), imports excluded: {m:.0f} ms '
        f"{fmt_runs([x['seconds'] for x in loads], 'ms', 1000)} (target: under {TARGET_LOAD_MS:.0f} ms) {verdict(good)}"
    )
    return ok


BENCHES = {"notebooks": bench_notebooks, "test": bench_test, "validate": bench_validate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=list(BENCHES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results = [bench(args.runs) for name, bench in BENCHES.items() if args.only in (None, name)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
