"""The golden path end to end: login -> connect -> send -> collect -> validate, with timings.

Each journey's message carries a canary unique to it. The events that come back carrying it name
the journey's run (and thread): those identities belong to this user. An event whose canary, run
or thread belongs to another user's journey is an isolation breach whatever user id it carries
(`ownership.py` attributes them across all users of a load run).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from testcanon.events.client import AgentSession, SessionConfig, SessionError, make_session, new_canary
from testcanon.events.profiles import Profile, agent_events
from testcanon.events.validator import Validator, Violation

Observation = tuple[tuple[Any, ...], tuple[str, ...], str]  # (identities, canaries, event type)


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
    canaries: list[str] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    completed: int = 0  # runs that reached their terminal event

    def to_json(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 2)

        return {"user": self.user, "ok": self.ok, "events": self.events,
                "time_to_first_event_ms": ms(self.time_to_first_event),
                "time_to_completion_ms": ms(self.time_to_completion),
                "violations": [str(v) for v in self.violations], "error": self.error,
                "cross_talk": self.cross_talk}


def identities(event: dict[str, Any], profile: Profile) -> tuple[Any, ...]:
    """The run and thread identity an event carries (any may be absent)."""
    values = []
    for name in (profile.run_field, profile.thread_field):
        if name:
            value = event.get(name)
            if value is not None:
                values.append((name, value))
    return tuple(values)


async def run_journey(base_url: str, user: str = "journey-user", *, message: str = "what is 6 * 7?",
                      profile: Profile | None = None, fault: str | None = None, runs: int = 1,
                      session: AgentSession | None = None, timeout: float = 10.0,
                      config: SessionConfig | None = None) -> JourneyResult:
    profile = profile or agent_events()
    own = session is None
    result = JourneyResult(user, ok=False)
    try:
        if own:
            session = make_session(base_url, user, profile=profile, fault=fault, timeout=timeout,
                                   config=config)
            await session.connect()
        assert session is not None
        validator = Validator(profile, user_id=session.user_id)
        ends = set(profile.terminal) | set(profile.errors)
        for _ in range(runs):
            canary = new_canary()
            result.canaries.append(canary)
            await session.send(f"{message} {canary}")
            sent = session.sent_at or time.perf_counter()
            events = await session.collect_run(timeout)
            if not events:
                result.error = f"no events within {timeout:g}s"
                break
            result.events += len(events)
            result.time_to_first_event = events[0]["_received"] - sent
            result.time_to_completion = events[-1]["_received"] - sent
            validator.connected_at = session.sent_at
            for event in events:
                validator.feed(event, received_at=event["_received"])
                found = tuple(event.get("_canaries", ()))
                result.observations.append((identities(event, profile), found,
                                            str(event.get(profile.type_field))))
                foreign = [c for c in found if c not in result.canaries]
                if foreign:
                    result.cross_talk.append(f"an event of another journey ({foreign[0]}) reached "
                                             f"{session.user_id!r}: {event.get(profile.type_field)}")
            if events[-1].get(profile.type_field) not in ends:
                result.error = f"run did not finish within {timeout:g}s"
                break
            result.completed += 1
        validator.finish()
        result.violations = validator.violations
        result.ok = not result.violations and not result.error and not result.cross_talk
        return result
    except SessionError as exc:
        result.error = str(exc)
        return result
    finally:
        if own and session is not None:
            await session.close()

