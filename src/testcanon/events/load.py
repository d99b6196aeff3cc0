"""`canon load`: many concurrent simulated users, every stream validated, cross-talk detected.

Each user (an asyncio task with its own real WebSocket) runs journeys back to back until the
duration ends or its request budget is spent. Bounded in count and time; loopback or
configured hosts only.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from testcanon.events.client import AgentSession, SessionError
from testcanon.events.journey import run_journey
from testcanon.events.profiles import Profile, agent_events

MAX_RUNS_PER_USER = 100_000


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class LoadReport:
    users: int
    duration: float
    journeys: int = 0
    failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    breaches: list[str] = field(default_factory=list)
    ttfe: list[float] = field(default_factory=list)
    ttc: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    think: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.breaches and not self.errors

    def to_json(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 2)

        return {"users": self.users, "duration_s": self.duration, "think_s": self.think, "elapsed_s": round(self.elapsed, 2),
                "journeys": self.journeys, "failed": self.failed,
                "throughput_per_s": round(self.journeys / self.elapsed, 1) if self.elapsed else 0.0,
                "time_to_first_event_ms": {f"p{q}": ms(percentile(self.ttfe, q)) for q in (50, 95, 99)},
                "time_to_completion_ms": {f"p{q}": ms(percentile(self.ttc, q)) for q in (50, 95, 99)},
                "errors": dict(self.errors), "isolation_breaches": self.breaches[:20], "ok": self.ok}


async def run_load(base_url: str, *, users: int, duration: float, profile: Profile | None = None,
                   max_runs_per_user: int = MAX_RUNS_PER_USER, ramp: float = 1.0,
                   think: float = 0.0) -> LoadReport:
    """`think` seconds between a user's journeys (a person reads the answer); 0 = back to back."""
    profile = profile or agent_events()
    report = LoadReport(users, duration, think=think)
    started = time.perf_counter()
    stop_at = started + duration

    import httpx

    http = httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=200))

    async def user(number: int) -> None:
        await asyncio.sleep(ramp * number / max(users, 1))
        name = f"load-user-{number}"
        session = AgentSession(base_url, name, profile=profile, http=http, timeout=30.0)
        try:
            await session.connect()
        except SessionError as exc:
            report.errors[f"connect: {str(exc)[:80]}"] += 1
            return
        try:
            runs = 0
            while time.perf_counter() < stop_at and runs < max_runs_per_user:
                result = await run_journey(base_url, name, profile=profile, session=session, runs=1)
                runs += 1
                report.journeys += 1
                if result.time_to_first_event is not None:
                    report.ttfe.append(result.time_to_first_event)
                if result.time_to_completion is not None:
                    report.ttc.append(result.time_to_completion)
                if not result.ok:
                    report.failed += 1
                    for violation in result.violations:
                        report.errors[f"violation: {violation.rule}"] += 1
                    if result.error:
                        report.errors[f"error: {result.error[:80]}"] += 1
                report.breaches += result.cross_talk
                if think:
                    await asyncio.sleep(think)
        finally:
            await session.close()

    try:
        await asyncio.gather(*(user(n) for n in range(users)))
    finally:
        await http.aclose()
    report.elapsed = time.perf_counter() - started
    return report
