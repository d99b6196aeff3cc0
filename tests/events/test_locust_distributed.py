"""Locust, distributed on loopback (a headless master and two workers), runs the validated journeys."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from chat_server import chat_server

from canon_support import free_port

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("locust") is None,
                                 reason="locust is not installed")]
LOCUSTFILE = ("from testcanon.events.locust import AgentChatUser\n\n"
              "class ChatUser(AgentChatUser):\n    abstract = False\n")


def run_distributed(host: str, tmp_path: Path, users: int = 10, seconds: int = 15) -> tuple[int, str, str]:
    # never import locust in this process: it monkey-patches everything with gevent on import
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    port = free_port()
    locust = [sys.executable, "-m", "locust", "-f", "locustfile.py", "--host", host]
    master = subprocess.Popen([*locust, "--master", "--headless", "--expect-workers", "2",
                               "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                               "-u", str(users), "-r", str(users),
                               "--run-time", f"{seconds}s", "--only-summary", "--csv", "run"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = [subprocess.Popen([*locust, "--worker", "--master-host", "127.0.0.1",
                                 "--master-port", str(port)],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    try:
        out, err = master.communicate(timeout=seconds + 60)
        worker_output = "".join(w.communicate(timeout=30)[1] for w in workers)
    finally:
        for process in (master, *workers):
            if process.poll() is None:
                process.kill()
                process.wait()
    return master.returncode, out + err, worker_output


def test_master_and_two_workers_run_validated_journeys_quietly(tmp_path: Path) -> None:
    with chat_server() as url:
        code, output, worker_output = run_distributed(url, tmp_path)
    assert code == 0, output[-3000:]
    stats = (tmp_path / "run_stats.csv").read_text().splitlines()
    journey = next(line for line in stats if line.startswith("journey,"))
    requests, failures = (int(x) for x in journey.split(",")[2:4])
    assert requests >= 10 and failures == 0, journey
    assert "HTTP Request:" not in output + worker_output  # no httpx line per request
    assert len((output + worker_output).splitlines()) < 80


@pytest.mark.parametrize("host", ["dead", "http://chat.example.invalid"])
def test_no_journey_at_all_exits_non_zero(host: str, tmp_path: Path) -> None:
    """A dead server (every journey fails), or a host not allowed (no journey even starts: 0 requests)."""
    host = f"http://127.0.0.1:{free_port()}" if host == "dead" else host
    code, output, _ = run_distributed(host, tmp_path, users=4, seconds=4)
    assert code != 0, output[-2000:]
