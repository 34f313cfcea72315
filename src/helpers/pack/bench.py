"""How fast is the pack, against what executing notebooks physically costs? (`make bench`)

    python -m helpers.pack.bench                 # everything below, median of 3 runs each
    python -m helpers.pack.bench --only speed    # floor, make test, ratio
    python -m helpers.pack.bench --only scale    # 1,000,000 synthetic rows validated; one notebook's data loaded cold

speed  (a) the floor: N notebooks (N = the pack's notebooks) whose one cell only imports pandas,
           seaborn, matplotlib and helpers, run with the test run's own command (pytest -n 2
           --dist loadfile --nbval ...): kernel starts, imports and the pytest/xdist/nbval machinery,
           nothing else; (b) `make test` with the environment present; (c) (b) / (a); and, to
           show where the gap comes from, (d) the pack's notebooks alone under the same command
           (their own cells: charts, tables, checks) and what the rest of the test run adds.
           The three runs alternate, so a busy moment of the machine hits them alike.
scale  validating a synthetic observations.csv of 1,000,000 rows (in a temporary copy of data/,
       generated from the real rows' vocabularies; timed inside a fresh process, from the call to
       the validated package, interpreter start and imports excluded), and
       data.observations(section="S1") on the real data, cold, in a fresh process (same exclusions).
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

from helpers.data import REPO_DATA_DIR

ROOT = REPO_DATA_DIR.parent  # the repository: notebooks/, data/, site/
PYTHON = sys.executable
JOBS = os.environ.get("JOBS", "2")
# The test run's command, from the Makefile's `test` target: the floor runs under the same machinery.
NBVAL = ["-m", "pytest", "-n", JOBS, "--dist", "loadfile", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
FLOOR_CELL = "import matplotlib.pyplot as plt\nimport pandas as pd\nimport seaborn as sns\n\nimport helpers"
TARGET_RATIO, TARGET_SCALE_S, TARGET_LOAD_MS = 1.5, 5.0, 100.0
SCALE_ROWS = 1_000_000


def pack_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)
    return time.perf_counter() - start, result


def summary_line(result: subprocess.CompletedProcess) -> str:
    """pytest's last line ('12 passed in 3.4s'), or the tail of the output when it has none."""
    lines = [ln.strip("= ") for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    tail = next((ln for ln in reversed(lines) if " passed" in ln or " failed" in ln or " error" in ln), lines[-1] if lines else "")
    return tail


def write_floor_notebooks(folder: Path, n: int) -> None:
    for i in range(1, n + 1):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        nbformat.write(nb, folder / f"{i:02d}-floor.ipynb")


def fmt_runs(runs: list[float], unit: str = "s", scale: float = 1.0) -> str:
    shown = " ".join(f"{r * scale:.2f}" if unit == "s" else f"{r * scale:.0f}" for r in runs)
    return f"(runs: {shown} {unit})"


def bench_speed(runs: int) -> bool:
    notebooks = pack_notebooks()
    n = len(notebooks)
    print(f"speed: {n} pack notebooks, {JOBS} workers, median of {runs} runs; floor and make test alternate", flush=True)
    floor, alone, test, outcomes = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="pack-floor-") as tmp:
        write_floor_notebooks(Path(tmp), n)
        # Same ini file (addopts, warning filters) as the test run; only the collected files differ.
        floor_cmd = [PYTHON, *NBVAL, "-c", str(ROOT / "pyproject.toml"), "--rootdir", tmp, "-q", tmp]
        notebooks_cmd = [PYTHON, *NBVAL, "-q", *map(str, notebooks)]
        for i in range(runs):
            for cmd, times, what in ((floor_cmd, floor, "the floor notebooks"), (notebooks_cmd, alone, "the pack's notebooks")):
                seconds, result = timed(cmd)
                if result.returncode != 0:
                    print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"error: {what} failed to run")
                times.append(seconds)
            seconds, result = timed(["make", "--no-print-directory", "test"])
            test.append(seconds)
            outcomes.append((result.returncode, summary_line(result)))
            print(f"  run {i + 1}: floor {floor[-1]:.2f} s, notebooks alone {alone[-1]:.2f} s, make test {test[-1]:.2f} s ({outcomes[-1][1]})", flush=True)
    f, a, t = statistics.median(floor), statistics.median(alone), statistics.median(test)
    ratio = t / f
    print(f"(a) floor, {n} bare notebooks under the test run's pytest/nbval: {f:.2f} s {fmt_runs(floor)}")
    print(f"(b) make test: {t:.2f} s {fmt_runs(test)}; last run: exit {outcomes[-1][0]}, {outcomes[-1][1]}")
    ok = ratio <= TARGET_RATIO
    print(f"(c) make test / floor = {ratio:.2f} (target: at most {TARGET_RATIO}) {'OK' if ok else 'OVER TARGET'}")
    print(
        f"(d) where the gap comes from: the {n} notebooks alone under nbval take {a:.2f} s {fmt_runs(alone)}, "
        f"{a / f:.2f} x the floor; the rest of make test (unit, browser, JupyterLab and add-a-quarter tests) adds {t - a:.2f} s"
    )
    if any(code != 0 for code, _ in outcomes):
        print("note: make test did not pass in every run; its time still counts every test it ran")
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


VALIDATE_SNIPPET = """
import json, sys, time
import pandas
from helpers import data
start = time.perf_counter()
pkg = data.load_package(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - start, "rows": len(pkg.observations)}))
"""

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


def bench_scale(runs: int) -> bool:
    ok = True
    with tempfile.TemporaryDirectory(prefix="pack-scale-") as tmp:
        data_dir = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data_dir)
        start = time.perf_counter()
        synthetic_observations(ROOT / "data" / "observations.csv", data_dir / "observations.csv", SCALE_ROWS)
        size = (data_dir / "observations.csv").stat().st_size / 1e6
        print(f"scale: generated {SCALE_ROWS:,} observation rows ({size:.0f} MB) in {time.perf_counter() - start:.1f} s", flush=True)
        times = []
        for _ in range(runs):
            got = run_snippet(VALIDATE_SNIPPET, str(data_dir))
            assert got["rows"] == SCALE_ROWS, got
            times.append(got["seconds"])
    m = statistics.median(times)
    good = m < TARGET_SCALE_S
    ok &= good
    print(f"validate {SCALE_ROWS:,} synthetic rows (load_package, every check): {m:.2f} s {fmt_runs(times)} (target: under {TARGET_SCALE_S:.0f} s) {'OK' if good else 'OVER TARGET'}")
    loads = [run_snippet(LOAD_SNIPPET) for _ in range(max(runs, 5))]
    m = statistics.median(x["seconds"] for x in loads) * 1000
    good = m < TARGET_LOAD_MS
    ok &= good
    print(
        f'data.observations(section="S1") cold, real data ({loads[0]["rows"]} rows): {m:.0f} ms '
        f"{fmt_runs([x['seconds'] for x in loads], 'ms', 1000)} (target: under {TARGET_LOAD_MS:.0f} ms) {'OK' if good else 'OVER TARGET'}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["speed", "scale"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    ok = True
    if args.only in (None, "speed"):
        ok &= bench_speed(args.runs)
    if args.only in (None, "scale"):
        ok &= bench_scale(args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
