"""Against the reference server as a real process on a free loopback port."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from chat_server import chat_server

from canon_support import run_canon, write_tree
from testcanon.events.journey import run_journey
from testcanon.events.profiles import agent_events


@pytest.fixture(scope="module")
def server_url():
    with chat_server() as url:
        yield url


def test_journey_cli_passes_with_timings(server_url: str, tmp_path: Path) -> None:
    result = run_canon("journey", "--base-url", server_url, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict: PASS" in result.stdout and "time to first event:" in result.stdout


@pytest.mark.parametrize(("fault", "rule"), [
    ("drop", "tool-pairing-closed-before-terminal"),
    ("duplicate", "tool-pairing"),
    ("reorder", "tool-pairing"),
    ("wrong_user", "identity-user"),
])
def test_every_fault_switch_is_detected(server_url: str, fault: str, rule: str) -> None:
    result = asyncio.run(run_journey(server_url, f"f-{fault}", fault=fault, timeout=5))
    assert not result.ok
    assert rule in {v.rule for v in result.violations}


def test_delay_fault_is_caught_by_the_timing_rule(server_url: str) -> None:
    from dataclasses import replace

    profile = replace(agent_events(), max_gap=0.5)
    result = asyncio.run(run_journey(server_url, "slowpoke", fault="delay", profile=profile, timeout=5))
    assert "timing-gap" in {v.rule for v in result.violations}
    clean = asyncio.run(run_journey(server_url, "quick", profile=profile, timeout=5))
    assert clean.ok, [str(v) for v in clean.violations]


def test_a_wrong_label_is_a_violation_not_a_breach(server_url: str) -> None:
    ("A foreign user id on one's own run is a labelling bug (identity-user); "
     "leaks are judged by ownership.")
    result = asyncio.run(run_journey(server_url, "victim", fault="wrong_user", timeout=5))
    assert not result.ok and [v.rule for v in result.violations] == ["identity-user"]
    assert result.cross_talk == []


@pytest.mark.parametrize(("fault", "error"), [("disconnect", "connection closed by the server"),
                                              ("non_json", "non-JSON frame")])
def test_a_dropped_connection_or_garbage_frame_is_the_journeys_failure(server_url: str, fault: str,
                                                                        error: str) -> None:
    result = asyncio.run(run_journey(server_url, f"f-{fault}", fault=fault, timeout=5))
    assert not result.ok and error in result.error


def test_bad_login_is_a_clear_error(server_url: str) -> None:
    from testcanon.events.client import AgentSession

    async def attempt():
        session = AgentSession(server_url, "mallory", password="wrong")
        await session.connect()

    from testcanon.events.client import SessionError

    with pytest.raises(SessionError, match="HTTP 401"):
        asyncio.run(attempt())


def test_short_load_many_users_no_cross_talk(server_url: str, tmp_path: Path) -> None:
    result = run_canon("load", "--base-url", server_url, "--users", "50", "--duration", "6", "--ramp", "0.5",
                       "--json", str(tmp_path / "load.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "load.json").read_text())
    assert report["journeys"] >= 50 and report["failed"] == 0 and report["users_without_journey"] == 0
    assert report["isolation_breaches"] == {"count": 0, "examples": []}
    assert report["time_to_first_event_ms"]["p99"] is not None and report["ok"]


def test_fixtures_in_a_real_pytest_run_and_event_coverage(server_url: str, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "chat_tests", {
        "pyproject.toml": f"[tool.testcanon.events]\nbase_url = '{server_url}'\n",
        "tests/test_chat.py": (
            "import pytest\n\n"
            "@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n\n"
            "@pytest.mark.anyio\nasync def test_answer(agent_session, assert_valid):\n"
            "    session = await agent_session('alice')\n"
            "    await session.send('what is 2 + 2?')\n"
            "    events = await session.collect_run()\n"
            "    assert_valid(events, profile='agent-events', user_id='alice')\n"
            "    assert '4' in events[-1]['data']['answer']\n\n"
            "@pytest.mark.anyio\nasync def test_fault_is_reported(agent_session, assert_valid):\n"
            "    session = await agent_session('bob', fault='drop')\n"
            "    await session.send('hello')\n"
            "    events = await session.collect_run()\n"
            "    with pytest.raises(AssertionError, match='tool-pairing-closed-before-terminal'):\n"
            "        assert_valid(events)\n"),
    })
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    from testcanon.events.coverage import load_event_coverage

    coverage = load_event_coverage(root)
    assert coverage is not None
    assert coverage.types["agent_started"] == 2
    # held in test_answer, failed in test_fault_is_reported: the one rule the suite saw both ways
    assert coverage.held["tool-pairing-closed-before-terminal"] == 1
    assert coverage.failed["tool-pairing-closed-before-terminal"] == 1
    rules = [item for item in coverage.exercised if item.startswith("rule:")]
    assert rules == ["rule:tool-pairing-closed-before-terminal", "rule:required-types"]
    assert coverage.held["identity-user"] == 2 and "identity-user" in coverage.to_json()["held_only"]


def test_validate_cli_on_recorded_streams(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    bad = tmp_path / "bad.jsonl"
    run = [{"type": t, "run_id": "r", "user_id": "u", "tool_call_id": "c"} for t in
           ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_thinking",
            "agent_completed")]
    good.write_text("\n".join(json.dumps(e) for e in run) + "\n")
    bad.write_text("\n".join(json.dumps(e) for e in run[:3] + run[5:]) + "\n")
    assert run_canon("events", "validate", str(good), cwd=tmp_path).returncode == 0
    result = run_canon("events", "validate", str(bad), "--profile", "agent-events", cwd=tmp_path)
    assert result.returncode == 1 and "#3 [tool-pairing-closed-before-terminal]" in result.stdout
    (tmp_path / "junk.jsonl").write_text("{not json\n")
    junk = run_canon("events", "validate", "junk.jsonl", cwd=tmp_path)
    assert junk.returncode == 2 and "junk.jsonl:1: not a JSON frame" in junk.stderr


def test_locust_user_in_headless_single_process_mode(server_url: str, tmp_path: Path) -> None:
    import importlib.util

    # Never import locust here: it monkey-patches the whole process with gevent on import.
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is not installed (pip install testcanon[load])")
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text("from testcanon.events.locust import AgentChatUser\n\n"
                          "class ChatUser(AgentChatUser):\n    abstract = False\n")
    result = subprocess.run([sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "3",
                             "-r", "3", "--run-time", "6s", "--host", server_url, "--only-summary",
                             "--exit-code-on-error", "1"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "login->answer" in output
    # the same run with a blocking session class of one's own, named in the project's config
    (tmp_path / "pyproject.toml").write_text("[tool.testcanon.events.session]\n"
                                             "locust_session_class = 'my_sync:CountingSession'\n")
    (tmp_path / "my_sync.py").write_text(
        "from pathlib import Path\nfrom testcanon.events.locust import SyncSession\n\n"
        "class CountingSession(SyncSession):\n"
        "    def journey(self, message):\n"
        "        with Path('journeys.log').open('a') as log:\n"
        "            log.write('x')\n"
        "        return super().journey(message)\n")
    result = subprocess.run([sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "2",
                             "-r", "2", "--run-time", "8s", "--host", server_url, "--only-summary"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    assert len((tmp_path / "journeys.log").read_text()) >= 2
