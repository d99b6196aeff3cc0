"""Real services: started before the layer that needs them, reached, stopped — also on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from canon_support import free_port, gone, run_canon, start_canon_until, write_tree


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def _suite(tmp_path: Path, port: int, test_body: str) -> Path:
    return write_tree(tmp_path / "svc", {
        "pyproject.toml": (
            "[tool.testcanon]\ntest_paths = ['tests']\n"
            "[tool.testcanon.categories.integration]\npaths = ['tests/**']\nservices = ['web']\n"
            "[tool.testcanon.services.web]\n"
            f"command = '{sys.executable} -m http.server {{port}} --bind 127.0.0.1'\n"
            f"port = {port}\nstartup_timeout = 20\nenv = {{WEB_URL = 'http://{{host}}:{{port}}/'}}\n"),
        "tests/test_web.py": test_body,
    })


def test_service_is_started_reached_and_stopped(tmp_path: Path) -> None:
    port = free_port()
    root = _suite(tmp_path, port, (
        "import os, urllib.request\n\n"
        "def test_reaches_the_real_server():\n"
        "    assert os.environ['WEB_PORT'] == os.environ['WEB_URL'].rsplit(':', 1)[1].strip('/')\n"
        "    with urllib.request.urlopen(os.environ['WEB_URL'], timeout=5) as response:\n"
        "        assert response.status == 200\n"))
    result = run_canon("run", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "services started and stopped: web" in result.stdout
    assert not _listening(port)


def test_an_already_running_service_is_used_not_started(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _listening(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        root = _suite(tmp_path, port, "def test_x():\n    pass\n")
        result = run_canon("run", cwd=root)
        assert result.returncode == 0
        assert "services started" not in result.stdout
        assert _listening(port)  # not ours: left running
    finally:
        server.terminate()
        server.wait()


# canon as a terminal starts it: Ctrl-C delivered. A process inherits an ignored or blocked SIGINT
# from whoever starts it (CI showed one: after some earlier test in the same xdist worker, canon
# sat in select() through the SIGINT), which is the starter's choice, not canon's to override.
_AS_FROM_A_TERMINAL = (
    "import runpy, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n"
    "sys.argv = ['canon', *sys.argv[1:]]\n"
    "runpy.run_module('testcanon', run_name='__main__', alter_sys=True)\n")


def test_ctrl_c_still_stops_started_services(tmp_path: Path) -> None:
    port = free_port()
    started = tmp_path / "slow-test-started"
    root = _suite(tmp_path, port, ("import pathlib, time\n\ndef test_slow():\n"
                                   f"    pathlib.Path({str(started)!r}).write_text('x')\n"
                                   "    time.sleep(60)\n"))
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}  # a SIGABRT shows where it hangs, if it does
    process = subprocess.Popen([sys.executable, "-c", _AS_FROM_A_TERMINAL, "run", "--serial"], cwd=root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while not started.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "pytest never started the slow test"
    assert _listening(port), "the service is not up while the test runs"
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, err = process.communicate(timeout=60)  # read what it says: a full pipe would block its exit
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        out, err = process.communicate(timeout=30)
        said = f"{out.decode()[-2000:]}\n{err.decode()[-6000:]}"
        raise AssertionError(f"canon run did not stop on Ctrl-C:\n{said}") from None
    assert process.returncode != 0, err
    deadline = time.monotonic() + 10
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _listening(port)


def test_sigterm_to_canon_alone_ends_its_pytest_and_services(tmp_path: Path) -> None:
    """`timeout`, a cancelled CI job or `kill` signal canon alone: the pytest it started in its
    own session must not run on, nor the services it started."""
    port = free_port()
    started = tmp_path / "slow-test-pid"
    root = _suite(tmp_path, port, ("import os, pathlib, time\n\ndef test_slow():\n"
                                   f"    pathlib.Path({str(started)!r}).write_text(str(os.getpid()))\n"
                                   "    time.sleep(60)\n"))
    process, pytest_pid = start_canon_until(started, "run", "--serial", cwd=root)
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("canon run did not stop on SIGTERM") from None
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "canon: terminated" in err.decode() and "Traceback" not in err.decode()
    assert gone(pytest_pid), "the pytest canon started runs on"
    deadline = time.monotonic() + 10
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _listening(port)



def test_named_environment_replaces_services(tmp_path: Path) -> None:
    port = free_port()
    root = _suite(tmp_path, port, "import os\n\ndef test_env():\n    assert os.environ['API'] == 'https://staging'\n")
    with (root / "pyproject.toml").open("a") as handle:
        handle.write("[tool.testcanon.environments.staging]\nenv = {API = 'https://staging'}\n")
    result = run_canon("run", "--env", "staging", cwd=root)
    assert result.returncode == 0, result.stdout
    assert "services started" not in result.stdout
    assert run_canon("run", "--env", "prod", cwd=root).returncode == 2


def test_unreachable_service_without_command_is_a_clear_error(tmp_path: Path) -> None:
    port = free_port()
    root = write_tree(tmp_path / "x", {
        "pyproject.toml": ("[tool.testcanon.categories.integration]\npaths = ['tests/**']\n"
                           "services = ['db']\n"
                           f"[tool.testcanon.services.db]\nport = {port}\n"),
        "tests/test_a.py": "def test_a():\n    pass\n"})
    result = run_canon("run", cwd=root)
    assert result.returncode == 1
    assert "service 'db' is not reachable" in result.stderr
    assert "Traceback" not in result.stderr
