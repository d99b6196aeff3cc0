"""The golden path end to end: login -> connect -> send -> collect -> validate, with timings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from testcanon.events.client import AgentSession, SessionError
from testcanon.events.profiles import Profile, agent_events
from testcanon.events.validator import Validator, Violation


@dataclass
class JourneyResult:
    user: str
    ok: bool
    events: int = 0
    time_to_first_event: float | None = None
    time_to_completion: float | None = None
    violations: list[Violation] = field(default_factory=list)
    error: str = ""
    cross_talk: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"user": self.user, "ok": self.ok, "events": self.events,
                "time_to_first_event_ms": None if self.time_to_first_event is None else round(self.time_to_first_event * 1000, 2),
                "time_to_completion_ms": None if self.time_to_completion is None else round(self.time_to_completion * 1000, 2),
                "violations": [str(v) for v in self.violations], "error": self.error,
                "cross_talk": self.cross_talk}


async def run_journey(base_url: str, user: str = "journey-user", *, message: str = "what is 6 * 7?",
                      profile: Profile | None = None, fault: str | None = None, runs: int = 1,
                      session: AgentSession | None = None, timeout: float = 10.0) -> JourneyResult:
    profile = profile or agent_events()
    own = session is None
    result = JourneyResult(user, ok=False)
    try:
        if own:
            session = AgentSession(base_url, user, profile=profile, fault=fault, timeout=timeout)
            await session.connect()
        assert session is not None
        validator = Validator(profile, user_id=session.user_id)
        for number in range(runs):
            marker = f"{user}#{number}"
            await session.send(f"{message} {marker}")
            sent = session.sent_at or time.perf_counter()
            events = await session.collect_run(timeout)
            if not events:
                result.error = "no events before the timeout"
                return result
            result.events += len(events)
            result.time_to_first_event = events[0]["_received"] - sent
            result.time_to_completion = events[-1]["_received"] - sent
            validator.connected_at = session.sent_at
            for event in events:
                validator.feed(event, received_at=event["_received"])
                if profile.user_field and event.get(profile.user_field) not in (None, session.user_id):
                    result.cross_talk.append(f"event for {event.get(profile.user_field)!r} reached {session.user_id!r}")
                answer = str(event.get("data", {}).get("answer", "")) if isinstance(event.get("data"), dict) else ""
                if answer and marker not in answer:
                    result.cross_talk.append(f"answer of another message reached {session.user_id!r}: {answer[:60]!r}")
            if events[-1].get(profile.type_field) not in profile.terminal:
                result.error = f"run did not finish within {timeout:g}s"
        validator.finish()
        result.violations = validator.violations
        result.ok = not result.violations and not result.error and not result.cross_talk
        return result
    except SessionError as exc:
        result.error = str(exc)
        return result
    except (OSError, TimeoutError) as exc:  # the connection dropped mid-run
        result.error = f"connection lost: {type(exc).__name__}"
        return result
    finally:
        if own and session is not None:
            await session.close()


def run_journey_sync(base_url: str, user: str, *, message: str = "what is 6 * 7?",
                     profile: Profile | None = None, timeout: float = 10.0) -> JourneyResult:
    """The same journey with blocking sockets: for gevent-based tools (Locust) where an asyncio
    loop per greenlet cannot run; the validation is the same streaming validator."""
    import json

    import httpx
    from websockets.sync.client import connect

    profile = profile or agent_events()
    result = JourneyResult(user, ok=False)
    probe = AgentSession(base_url, user, profile=profile)
    try:
        response = httpx.post(f"{probe.base_url}/auth/login", json={"username": user, "password": "secret"},
                              timeout=timeout)
        if response.status_code != 200:
            result.error = f"login failed: HTTP {response.status_code}"
            return result
        body = response.json()
        user_id = body.get("user_id", user)
        validator = Validator(profile, user_id=user_id)
        with connect(probe.ws_url(body["token"]), open_timeout=timeout) as ws:
            marker = f"{user}#sync"
            sent = time.perf_counter()
            ws.send(json.dumps({"text": f"{message} {marker}"}))
            while True:
                event = json.loads(ws.recv(timeout=timeout))
                now = time.perf_counter()
                if result.time_to_first_event is None:
                    result.time_to_first_event = now - sent
                result.events += 1
                validator.feed(event, received_at=now)
                if profile.user_field and event.get(profile.user_field) != user_id:
                    result.cross_talk.append(f"event for {event.get(profile.user_field)!r} reached {user_id!r}")
                if event.get(profile.type_field) in profile.terminal:
                    result.time_to_completion = now - sent
                    break
        validator.finish()
        result.violations = validator.violations
        result.ok = not result.violations and not result.cross_talk
    except (OSError, TimeoutError, httpx.HTTPError, ValueError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    return result
