"""A Locust user that runs the chat journey and validates every stream.

    # locustfile.py
    from testcanon.events.locust import AgentChatUser

    class ChatUser(AgentChatUser):
        abstract = False

`locust -f locustfile.py --headless --master --expect-workers 2` and `--worker` spread it over
processes or machines; set the target with `--host` (loopback or `TESTCANON_ALLOW_HOSTS`). Each
user logs in once and keeps one WebSocket (blocking sockets, which gevent makes cooperative); each
task sends a message carrying a canary, collects the run, validates it against the profile
(`profile` attribute: a built-in name or a .toml file) and reports one "journey" request (failure
= a violation, another journey's canary, a timeout, a dropped connection). The session is built
from `[tool.testcanon.events.session]` of the project in the working directory, or the
`session_config` attribute. The process exits non-zero when no journey succeeded.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import httpx
from locust import User, between, events, task
from websockets.sync.client import connect

# imported here, before the worker joins its master: an import inside a user's first task blocks
# gevent's loop, and a worker that misses its heartbeats for 3 s is dropped by the master
from testcanon.config import load_project
from testcanon.events.client import (
    CANARY,
    AgentSession,
    SessionConfig,
    SessionError,
    fill,
    load_session_class,
    login_answer,
    new_canary,
    parse_frame,
)
from testcanon.events.profiles import Profile, get_profile
from testcanon.events.targets import check_target
from testcanon.events.validator import Validator

for _name in ("httpx", "httpcore", "websockets"):  # one line per request would flood Locust's output
    logging.getLogger(_name).setLevel(logging.WARNING)


class SyncSession:
    """The blocking twin of AgentSession for gevent: one HTTP client and one WebSocket per user, reused."""

    def __init__(self, base_url: str, username: str, config: SessionConfig, profile: Profile,
                 timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.config = config
        self.profile = profile
        self.timeout = timeout
        self.http = httpx.Client(timeout=timeout)
        self.ws: Any = None
        self.user_id: str | None = None

    def _url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}{path}"

    def connect(self) -> None:
        config = self.config
        body = fill(config.login_body, {"username": self.username, "password": config.password})
        try:
            response = self.http.request(config.login_method, self._url(config.login_path), json=body)
        except httpx.HTTPError as exc:
            raise SessionError(f"login failed: {type(exc).__name__}") from None
        token, self.user_id = login_answer(response.status_code, response.text, config, self.username)
        helper = AgentSession(self.base_url, self.username, config=config)
        headers, subprotocols = helper._auth(token)
        try:
            self.ws = connect(helper.ws_url(token), open_timeout=self.timeout,
                              additional_headers=headers or None,
                              subprotocols=subprotocols)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - any refusal is this user's failure
            raise SessionError(f"cannot connect: {type(exc).__name__}") from None

    def journey(self, message: str) -> tuple[int, list[str]]:
        """One run: (events, problems). Connects (again) when needed."""
        if self.ws is None:
            self.connect()
        profile = self.profile
        canary = new_canary()
        validator = Validator(profile, user_id=self.user_id)
        problems: list[str] = []
        payload = fill(self.config.message, {"text": f"{message} {canary}", "username": self.username})
        ends = set(profile.terminal) | set(profile.errors)
        count = 0
        try:
            self.ws.send(json.dumps(payload))
            deadline = time.monotonic() + self.timeout
            while True:
                raw = self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
                frame = parse_frame(raw)
                foreign = [c for c in CANARY.findall(str(raw)) if c != canary]
                if foreign:
                    problems.append(f"an event of another journey ({foreign[0]}) reached {self.user_id!r}")
                done = False
                for event in (profile.protocol.frames(frame) if profile.protocol else [frame]):
                    count += 1
                    problems += [str(v) for v in validator.feed(event)]
                    done |= event.get(profile.type_field) in ends
                if done:
                    break
        except TimeoutError:
            problems.append(f"run did not finish within {self.timeout:g}s")
            self.close()
        except SessionError as exc:
            problems.append(str(exc))
            self.close()
        except Exception as exc:  # noqa: BLE001 - a dropped connection is this user's failure
            problems.append(f"connection lost: {type(exc).__name__}")
            self.close()
        problems += [str(v) for v in validator.finish()]
        return count, problems

    def close(self) -> None:
        if self.ws is not None:
            ws, self.ws = self.ws, None
            try:
                ws.close()
            except Exception:  # noqa: BLE001
                pass


class AgentChatUser(User):
    abstract = True
    wait_time = between(0.1, 0.5)
    message = "what is 6 * 7?"
    profile = "agent-events"
    timeout = 10.0
    session_config: SessionConfig | None = None

    def on_start(self) -> None:
        check_target(self.host or "", os.environ.get("TESTCANON_ALLOW_HOSTS", "").split(","))
        config = self.session_config
        if config is None:
            project = load_project(".").config.events
            config = SessionConfig.from_table(dict(project.session))
        cls = load_session_class(config.locust_session_class) if config.locust_session_class else SyncSession
        self.session = cls(self.host or "", f"locust-{os.getpid()}-{id(self)}", config,
                           get_profile(self.profile), self.timeout)

    def on_stop(self) -> None:
        self.session.close()
        self.session.http.close()

    @task
    def journey(self) -> None:
        started = time.perf_counter()
        try:
            count, problems = self.session.journey(self.message)
        except SessionError as exc:
            count, problems = 0, [str(exc)]
        elapsed_ms = (time.perf_counter() - started) * 1000
        failure = AssertionError("; ".join(problems)[:500]) if problems else None
        self.environment.events.request.fire(request_type="journey", name="login->answer",
                                             response_time=elapsed_ms, response_length=count,
                                             exception=failure, context={})


@events.quitting.add_listener
def _no_journey_is_a_failure(environment: Any, **_: Any) -> None:
    """A load test in which no journey succeeded did not test anything: exit non-zero."""
    runner = environment.runner
    if runner is None or type(runner).__name__ == "WorkerRunner":
        return
    total = environment.stats.total
    if total.num_requests - total.num_failures <= 0:
        logging.getLogger("testcanon").error("no journey succeeded: the run tested nothing")
        environment.process_exit_code = 1


class DefaultAgentChatUser(AgentChatUser):
    """Concrete user for `locust -f testcanon/events/locust.py`."""

    abstract = False
