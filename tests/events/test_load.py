"""`canon load` against the real reference server: bounded, truthful, and every leak caught by ownership."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from chat_server import chat_server

from canon_support import run_canon
from testcanon.events.load import run_load
from testcanon.events.ownership import attribute

pytestmark = pytest.mark.slow


def test_every_injected_leak_is_detected_though_restamped_with_the_recipients_user_id() -> None:
    with chat_server("--leak-every", "5") as url:
        report = asyncio.run(run_load(url, users=12, duration=2.5, ramp=0.3, think=0.05, timeout=5))
        leaked = httpx.get(f"{url}/stats").json()["leaked"]
    assert leaked >= 20  # enough leaks to make the count mean something
    assert report.breaches.count == leaked, (report.breaches.count, leaked, report.errors)
    assert len(report.breaches.examples) == 20 and "'s journey (" in report.breaches.examples[0]
    assert not report.ok and any("reached another user" in r for r in report.reasons())


def test_a_clean_server_has_no_breaches_and_every_user_a_journey(tmp_path: Path) -> None:
    with chat_server() as url:
        started = time.monotonic()
        result = run_canon("load", "--base-url", url, "--users", "40", "--duration", "4", "--ramp", "0.5",
                           "--think", "0.2", "--json", str(tmp_path / "load.json"), cwd=tmp_path)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "load.json").read_text())
    assert report["users_without_journey"] == 0 and report["failed"] == 0 and report["journeys"] >= 40
    assert report["isolation_breaches"] == {"count": 0, "examples": []}
    assert elapsed < 4 + 0.5 + 10 + 5  # the bound, plus the CLI's start-up


@pytest.mark.parametrize("fault", ["disconnect", "non_json"])
def test_one_users_broken_connection_is_that_users_failure(fault: str, tmp_path: Path) -> None:
    with chat_server() as url:
        report = asyncio.run(run_load(url, users=6, duration=3, ramp=0.2, think=0.1, timeout=5,
                                      fault_for=lambda n: fault if n == 0 else None))
    assert report.users_without_journey == 1 and report.failed >= 1
    assert not report.ok and "1 of 6 user(s) completed no journey" in report.reasons()
    assert report.journeys > 6  # the five others kept going


def test_a_dead_server_fails_in_time_naming_the_users_without_journey(tmp_path: Path) -> None:
    from canon_support import free_port

    started = time.monotonic()
    result = run_canon("load", "--base-url", f"http://127.0.0.1:{free_port()}", "--users", "20",
                       "--duration", "1", "--ramp", "0.2", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "20 of 20 user(s) completed no journey" in result.stdout and "no journey ran" in result.stdout
    assert time.monotonic() - started < 1.2 + 10 + 5


def test_a_foreign_host_is_refused_unless_allowed(tmp_path: Path) -> None:
    result = run_canon("journey", "--base-url", "http://example.com", cwd=tmp_path)
    assert result.returncode == 2 and "example.com is neither loopback nor an allowed host" in result.stderr
    result = run_canon("load", "--base-url", "http://10.255.255.1:9", "--users", "1", "--duration", "0.5",
                       "--allow-host", "10.255.255.1", "--timeout", "0.5", cwd=tmp_path)
    assert result.returncode == 1 and "neither loopback" not in result.stderr  # allowed: tried, and failed


def test_attribution_counts_each_event_once() -> None:
    run = (("run_id", "r-a"),)
    alice = ("alice", ["tc-aaaaaaaaaaaaaaaa"], [(run, ("tc-aaaaaaaaaaaaaaaa",), "agent_started")])
    # bob got alice's agent_started (her canary AND her run: one breach), then her tool event (her run only)
    bob = ("bob", ["tc-bbbbbbbbbbbbbbbb"],
           [(run, ("tc-aaaaaaaaaaaaaaaa",), "agent_started"),
            (run, (), "tool_executing"),
            ((("run_id", "r-b"),), ("tc-bbbbbbbbbbbbbbbb",), "agent_started")])
    breaches = attribute([alice, bob], limit=1)
    assert breaches.count == 2 and breaches.examples == [
        "bob received agent_started of alice's journey (its canary)"]
