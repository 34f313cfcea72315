"""`make lab`, started for real: JupyterLab from .venv-lab on a free 127.0.0.1 port with a generated token.

Its REST API lists the notebooks for a caller with the token (200) and refuses one without (403),
the server listens on 127.0.0.1 only, and neither it nor a kernel it starts writes into the home
folder (the server runs with HOME set to an empty temporary folder). The server is started through
`make lab`, so the options tested are the Makefile's; it is always stopped (its whole process
group) when the module ends.
.venv-lab is built with `make lab-env` first when it is missing or stale (about a minute and a half,
once; a no-op afterwards).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

from tests.conftest import ROOT

LAB_VENV = ROOT / ".venv-lab"
LAB_STATE = LAB_VENV / "state"  # where the Makefile points Jupyter's and IPython's folders
# Variables that could send Jupyter, IPython, matplotlib or npm elsewhere than the Makefile says:
# left out of the server's environment, so that any fallback lands in the temporary home and is seen.
OWN_DIRS = ("jupyter_", "ipythondir", "mplconfigdir", "xdg_", "npm_config_")
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
START_TIMEOUT = 90
# Straight to 127.0.0.1, never through a proxy named in the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    return send("GET", url, token)


def send(method: str, url: str, token: str | None = None, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_env() -> Path:
    started = time.monotonic()
    result = subprocess.run(["make", "--no-print-directory", "lab-env"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"make lab-env failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    print(f"make lab-env: {time.monotonic() - started:.1f} s")
    return LAB_VENV


@pytest.fixture(scope="module")
def lab(lab_env, tmp_path_factory):
    port, token = free_port(), secrets.token_hex(24)
    home = tmp_path_factory.mktemp("home")
    log = tmp_path_factory.mktemp("lab-log") / "lab.log"
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith(OWN_DIRS)} | {"JUPYTER_TOKEN": token, "HOME": str(home)}
    args = f"LAB_ARGS=--port={port} --ServerApp.port_retries=0 --no-browser"
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root; Jupyter refuses root without it
        args += " --allow-root"
    with log.open("w") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "lab", args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode} before answering:\n{log.read_text()[-3000:]}")
            try:
                if get(f"{base}/api/status", token)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer on {base} within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield {"base": base, "port": port, "token": token, "pid": proc.pid, "log": log, "home": home}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass


def test_contents_api_lists_the_notebooks_with_the_token(lab):
    status, body = get(f"{lab['base']}/api/contents", lab["token"])
    assert status == 200, body[:300]
    listing = json.loads(body)
    assert listing["type"] == "directory" and listing["path"] == "", "notebooks/ is the server's root"
    names = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert names == NOTEBOOKS
    status, body = get(f"{lab['base']}/api/contents?token={lab['token']}")
    assert status == 200 and sorted(i["name"] for i in json.loads(body)["content"] if i["type"] == "notebook") == NOTEBOOKS


def test_contents_api_refuses_without_the_token(lab):
    assert get(f"{lab['base']}/api/contents")[0] == 403
    assert get(f"{lab['base']}/api/contents", "not-" + lab["token"])[0] == 403
    assert get(f"{lab['base']}/api/contents/{NOTEBOOKS[0]}")[0] == 403


def _listening(port: int) -> list[str]:
    """Local addresses of the LISTEN sockets on `port`, from /proc/net/tcp and tcp6."""
    found = []
    for name, width in (("tcp", 8), ("tcp6", 32)):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                raw = bytes.fromhex(address)
                if width == 8:
                    found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found


def test_server_listens_on_loopback_only(lab):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("reading listening sockets needs Linux's /proc/net/tcp")
    addresses = _listening(lab["port"])
    assert addresses, f"nothing listens on port {lab['port']}"
    assert set(addresses) == {"127.0.0.1"}, f"JupyterLab listens on {addresses}: make lab must bind 127.0.0.1 only"
    assert re.search(rf"http://127\.0\.0\.1:{lab['port']}/", lab["log"].read_text()), "the server announces its 127.0.0.1 URL"


def test_kernel_runs_in_the_lab_environment(lab):
    status, body = get(f"{lab['base']}/api/kernelspecs", lab["token"])
    assert status == 200
    specs = json.loads(body)
    argv = specs["kernelspecs"][specs["default"]]["spec"]["argv"]
    # A bare `python` is run as the server's own interpreter (jupyter_client swaps in sys.executable),
    # and the server is .venv-lab's; anything else must live inside .venv-lab.
    own = argv[0] in {"python", "python3", "python3.11"} or Path(argv[0]).absolute().is_relative_to(LAB_VENV)
    assert own, f"the default kernel runs {argv[0]}, not .venv-lab's Python (a kernel registered outside the pack?)"
    assert "ipykernel" in " ".join(argv)


def test_nothing_is_written_to_the_home_folder(lab):
    # The server has started (runtime files, cookie secret); now open a notebook (the trust
    # database) and run code in a kernel (IPython's profile and history, matplotlib's cache).
    base, token = lab["base"], lab["token"]
    assert get(f"{base}/api/contents/{NOTEBOOKS[0]}", token)[0] == 200
    status, body = send("POST", f"{base}/api/kernels", token, b'{"name": "python3"}')
    assert status == 201, body[:300]
    kernel = json.loads(body)["id"]
    try:
        name = f"kernel-{kernel}.json"
        deadline = time.monotonic() + START_TIMEOUT
        # Wherever the server wrote it (the home folder too, when the Makefile fails to say otherwise).
        while not (found := [p for p in (LAB_STATE / "runtime" / name, *lab["home"].rglob(name)) if p.exists()]):
            assert time.monotonic() < deadline, f"the kernel's connection file {name} did not appear"
            time.sleep(0.25)
        connection = found[0]
        client = BlockingKernelClient()
        client.load_connection_file(connection)
        client.start_channels()
        try:
            client.wait_for_ready(timeout=START_TIMEOUT)
            code = "import matplotlib.pyplot as plt\nimport helpers.data\nplt.figure()\nprint(len(helpers.data.load_package().observations))"
            reply = client.execute_interactive(code, timeout=START_TIMEOUT, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            client.stop_channels()
    finally:
        send("DELETE", f"{base}/api/kernels/{kernel}", token)
    written = sorted(str(p.relative_to(lab["home"])) for p in lab["home"].rglob("*"))
    assert not written, f"make lab wrote into the home folder: {written[:10]}; point the tool's folder into .venv-lab/state in the Makefile"
    # ... and its state went to .venv-lab/state instead.
    assert (LAB_STATE / "runtime" / "jupyter_cookie_secret").is_file()
    assert list((LAB_STATE / "runtime").glob("jpserver-*.json")), "the server's runtime file is in .venv-lab/state/runtime"
    assert (LAB_STATE / "ipython" / "profile_default").is_dir()


def test_lab_lock_extends_the_test_lock():
    def pins(path: Path) -> dict[str, str]:
        return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", path.read_text(), re.M))

    test_lock, lab_lock, lab_in = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-lab.txt"), pins(ROOT / "requirements-lab.in")
    assert {k: lab_lock.get(k) for k in test_lock} == test_lock, "requirements-lab.txt drifts from requirements.txt: run make lock"
    assert {k: lab_lock.get(k) for k in lab_in} == lab_in, "requirements-lab.txt misses a pin of requirements-lab.in: run make lock"
