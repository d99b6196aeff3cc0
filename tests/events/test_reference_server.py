"""The reference server under bad input and heavy messages, and every way a session can carry its token."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import jwt
import pytest
import websockets
from chat_server import chat_server

from testcanon.events.client import SessionConfig
from testcanon.events.journey import run_journey

pytestmark = pytest.mark.slow
SECRET = "a-secret-only-this-test-knows-0123456789"


@pytest.fixture(scope="module")
def server_url():
    with chat_server(env={**os.environ, "AGENT_CHAT_SECRET": SECRET}) as url:
        yield url


@pytest.mark.parametrize("body", [b"[1, 2]", b'"alice"', b"{not json",
                                  b'{"username": 5, "password": "secret"}',
                                  b'{"username": "", "password": "secret"}', b"null"])
def test_every_malformed_login_is_a_4xx(server_url: str, body: bytes) -> None:
    response = httpx.post(f"{server_url}/auth/login", content=body,
                          headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, (body, response.status_code)


@pytest.mark.parametrize("claims", [{"exp": 4_000_000_000}, {"sub": 7, "exp": 4_000_000_000}, {"sub": ""}])
def test_a_token_without_a_usable_subject_is_refused_not_a_500(server_url: str, claims: dict) -> None:
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    async def attempt() -> int:
        url = server_url.replace("http", "ws") + f"/ws?token={token}"
        try:
            async with websockets.connect(url) as ws:
                await ws.recv()
        except websockets.exceptions.ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else 0
        except websockets.exceptions.InvalidStatus as exc:
            return exc.response.status_code
        return 0

    assert asyncio.run(attempt()) in (403, 4401)
    response = httpx.post(f"{server_url}/sse", json={"text": "hi"},
                          headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_the_secret_is_generated_per_start_when_not_given() -> None:
    tokens = []
    for _ in range(2):
        environment = {k: v for k, v in os.environ.items() if k != "AGENT_CHAT_SECRET"}
        with chat_server(env=environment) as url:
            if tokens:
                response = httpx.post(f"{url}/sse", json={"text": "hi"},
                                      headers={"authorization": f"Bearer {tokens[0]}"})
                assert response.status_code == 401  # the first server's token means nothing here
            tokens.append(httpx.post(f"{url}/auth/login",
                                     json={"username": "u", "password": "secret"}).json()["token"])
    assert tokens[0] != tokens[1]


def test_a_huge_message_stalls_no_other_user(server_url: str) -> None:
    bomb = "9" * 400_000 + " * " + "9" * 400_000  # multiplying these took the old server's event loop 27 s

    async def both():
        heavy = asyncio.create_task(run_journey(server_url, "bomber", message=bomb, timeout=30))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        light = await run_journey(server_url, "bystander", timeout=10)
        return await heavy, light, time.perf_counter() - started

    heavy, light, elapsed = asyncio.run(both())
    assert light.ok and elapsed < 5, (light.error, elapsed)
    assert heavy.ok and heavy.events == 6


@pytest.mark.parametrize("config", [
    SessionConfig(token_in="header", token_name="Authorization", token_prefix="Bearer "),
    SessionConfig(token_in="cookie", token_name="token"),
    SessionConfig(token_in="subprotocol"),
    SessionConfig(token_in="query", token_name="token"),
    SessionConfig(stream="sse", stream_path="/sse", token_in="header", token_name="Authorization",
                  token_prefix="Bearer "),
    SessionConfig(stream="sse", stream_path="/sse", token_in="query"),
], ids=["header", "cookie", "subprotocol", "query", "sse-header", "sse-query"])
def test_every_token_transport_and_sse(server_url: str, config: SessionConfig) -> None:
    result = asyncio.run(run_journey(server_url, "carrier", timeout=10, config=config, runs=2))
    assert result.ok, (result.error, [str(v) for v in result.violations])
    assert result.events == 12 and result.completed == 2


def test_login_as_configuration_with_another_body_and_token_path(server_url: str) -> None:
    config = SessionConfig(login_body={"username": "{username}", "password": "{password}", "client": "tests"},
                           token_path="token", user_id_path="")
    assert asyncio.run(run_journey(server_url, "configured", config=config)).ok
    wrong = SessionConfig(token_path="access.token")
    result = asyncio.run(run_journey(server_url, "configured", config=wrong))
    assert not result.ok and "no token at 'access.token'" in result.error


def test_sse_faults_are_the_journeys_failure(server_url: str) -> None:
    config = SessionConfig(stream="sse", stream_path="/sse", token_in="query")
    result = asyncio.run(run_journey(server_url, "sse-junk", fault="non_json", timeout=5, config=config))
    assert not result.ok and "non-JSON frame" in result.error
    result = asyncio.run(run_journey(server_url, "sse-drop", fault="disconnect", timeout=5, config=config))
    assert not result.ok and result.error


def test_a_session_class_of_ones_own_is_used_by_journey_and_load(server_url: str, tmp_path) -> None:
    from canon_support import run_canon, write_tree

    write_tree(tmp_path, {
        "pyproject.toml": "[tool.testcanon.events.session]\nsession_class = 'my_session:LoggingSession'\n",
        "my_session.py": (
            "from pathlib import Path\n"
            "from testcanon.events.client import AgentSession\n\n"
            "class LoggingSession(AgentSession):\n"
            "    async def connect(self):\n"
            "        with Path('connects.log').open('a') as log:\n"
            "            log.write(self.username + '\\n')\n"
            "        await super().connect()\n"),
    })
    assert run_canon("journey", "--base-url", server_url, cwd=tmp_path).returncode == 0
    load = run_canon("load", "--base-url", server_url, "--users", "3", "--duration", "2", "--ramp", "0",
                     cwd=tmp_path)
    assert load.returncode == 0, load.stdout + load.stderr
    assert sorted((tmp_path / "connects.log").read_text().split()) == [
        "journey-user", "load-user-0", "load-user-1", "load-user-2"]
    (tmp_path / "pyproject.toml").write_text("[tool.testcanon.events.session]\n"
                                             "session_class = 'nowhere:Nothing'\n")
    bad = run_canon("journey", "--base-url", server_url, cwd=tmp_path)
    assert bad.returncode == 2 and "cannot be loaded" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("fault", ["non_json", "disconnect"])
def test_the_cli_never_tracebacks_on_a_garbage_frame_or_a_dropped_connection(server_url: str, fault: str,
                                                                             tmp_path) -> None:
    from canon_support import run_canon

    (tmp_path / "pyproject.toml").write_text(
        f"[tool.testcanon.events.session]\nmessage = {{ text = '{{text}}', fault = '{fault}' }}\n")
    journey = run_canon("journey", "--base-url", server_url, "--timeout", "5", cwd=tmp_path)
    assert journey.returncode == 1 and "verdict: FAIL" in journey.stdout
    assert "Traceback" not in journey.stdout + journey.stderr
    load = run_canon("load", "--base-url", server_url, "--users", "3", "--duration", "2", "--ramp", "0",
                     cwd=tmp_path)
    assert load.returncode == 1 and "3 of 3 user(s) completed no journey" in load.stdout
    assert "Traceback" not in load.stdout + load.stderr
