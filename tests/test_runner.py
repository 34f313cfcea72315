"""The runner shares a kernel between notebooks: each one must find the kernel as a fresh kernel is.

One kernel (jobs=1) runs five small notebooks, largest first as the runner orders them: the first
leaves state behind (a variable, a matplotlib setting, an open figure, a warning already shown,
another working folder), the second looks for it, the third needs a row that is not there (without
--as-of, NotInData fails a notebook like any other error, and the kernel goes on), the fourth kills
its kernel, the fifth runs on the kernel started in its place.
"""

from __future__ import annotations

import asyncio

import matplotlib
import nbformat

from helpers.pack import runner


def notebook(path, *sources: str, pad: int = 0):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells[0].source += "\n" + "#" * pad  # its size on disk sets its place in the queue
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return str(path)


def text(nb, index: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[index].outputs)


def test_a_shared_kernel_is_reset_between_notebooks_and_replaced_when_it_dies(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    # A warning raised inside a module is shown once per place in it: a library's, not the notebook's.
    (tmp_path / "warns.py").write_text("import warnings\n\n\ndef once():\n    warnings.warn('shown once per place', UserWarning)\n")
    leaves = notebook(
        tmp_path / "a.ipynb",
        "left_behind = 1",
        "import matplotlib as mpl\nimport matplotlib.pyplot as plt\nmpl.rcParams['lines.linewidth'] = 9.0\nplt.figure()",
        "import warns\nwarns.once()",
        "import os\nos.chdir('elsewhere')",
        pad=3000,
    )
    looks = notebook(
        tmp_path / "b.ipynb",
        "print('left_behind' in globals())",
        "import matplotlib as mpl\nimport matplotlib.pyplot as plt\nprint(mpl.rcParams['lines.linewidth'], len(plt.get_fignums()))",
        "import warns\nwarns.once()",
        "import os\nprint(os.path.basename(os.getcwd()))",
        pad=2000,
    )
    needs = notebook(
        tmp_path / "m.ipynb",
        "AS_OF = None",
        "import pandas as pd\nfrom helpers.views.select import need\nneed(pd.DataFrame(columns=['metric', 'start', 'end', 'id']), 'a_metric')",
        pad=1500,
    )
    nb = nbformat.read(needs, as_version=4)
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("## Who grew?"))
    nbformat.write(nb, needs)
    dies = notebook(tmp_path / "c.ipynb", "import os\nos._exit(1)", pad=1000)
    after = notebook(tmp_path / "d.ipynb", "print('ran')")

    results = asyncio.run(runner.execute_all([after, dies, needs, looks, leaves], None, 1))
    by_path = {path: (nb, error) for path, nb, error in results}

    assert by_path[leaves][1] is None
    nb, error = by_path[looks]
    assert error is None
    assert text(nb, 0).strip() == "False", "a variable of the notebook before is still defined"
    fresh_linewidth = str(matplotlib.rcParamsDefault["lines.linewidth"])
    assert text(nb, 1).split() == [fresh_linewidth, "0"], "matplotlib's settings or figures carried over"
    assert "shown once per place" in text(nb, 2), "a warning shown in the notebook before was not shown again"
    assert text(nb, 3).strip() == tmp_path.name, "the working folder carried over"
    assert [c.execution_count for c in nb.cells] == [1, 2, 3, 4], "counts as a fresh kernel gives them"

    assert by_path[needs] == (None, "the cell 'import pandas as pd' under 'Who grew?' raised NotInData: no figure of a_metric")
    assert by_path[dies][0] is None and "kernel" in by_path[dies][1]
    nb, error = by_path[after]
    assert error is None and text(nb, 0).strip() == "ran", "the notebook after a dead kernel runs on a new one"
