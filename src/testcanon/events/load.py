"""`canon load`: many concurrent simulated users, every stream validated, leaks attributed by ownership.

Each user (an asyncio task with its own real connection) connects during the ramp, then runs
journeys `think` seconds apart until `ramp + duration`. Bounded in time whatever the server does:
connecting stops at the end of the duration, a journey's wait is cut at `ramp + duration + grace`,
and stragglers are cancelled. A user's failure (refused login, dropped connection, a non-JSON frame)
is counted as that user's, never raised. The verdict fails when any journey failed, any event
leaked to another user, or any user never completed a journey.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from testcanon.events.client import SessionConfig, SessionError, make_session
from testcanon.events.journey import Observation, identities, run_journey
from testcanon.events.ownership import Breaches, attribute
from testcanon.events.profiles import Profile, agent_events

GRACE = 5.0  # seconds a journey started before the end may still take
EXAMPLES = 20
SHARD = 32  # users per HTTP connection pool: httpcore's pool scans all its connections per request


def http_clients(users: int, timeout: float) -> list[Any]:
    """HTTP clients for the logins, sized to the users: one pool per SHARD users, so that no request
    queues and no pool grows large enough for its per-request scan to cost (quadratic in one pool:
    1,000 users in one pool spent most of the run in httpcore's _assign_requests_to_connections)."""
    import ssl

    import httpx

    context = ssl.create_default_context()  # loaded once, shared: a context per client costs ~20 ms
    count = max(1, -(-users // SHARD))
    return [httpx.AsyncClient(timeout=httpx.Timeout(timeout, pool=timeout), verify=context,
                              limits=httpx.Limits(max_connections=SHARD, max_keepalive_connections=SHARD))
            for _ in range(count)]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class UserRecord:
    name: str
    journeys: int = 0
    completed: int = 0
    canaries: list[str] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


@dataclass
class LoadReport:
    users: int
    duration: float
    ramp: float = 0.0
    think: float = 0.0
    journeys: int = 0
    failed: int = 0
    users_without_journey: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    breaches: Breaches = field(default_factory=Breaches)
    ttfe: list[float] = field(default_factory=list)
    ttc: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.journeys > 0 and self.failed == 0 and self.breaches.count == 0
                and self.users_without_journey == 0)

    def reasons(self) -> list[str]:
        reasons = []
        if self.journeys == 0:
            reasons.append("no journey ran")
        if self.failed:
            reasons.append(f"{self.failed} journey(s) failed")
        if self.breaches.count:
            reasons.append(f"{self.breaches.count} event(s) reached another user")
        if self.users_without_journey:
            reasons.append(f"{self.users_without_journey} of {self.users} user(s) completed no journey")
        return reasons

    def to_json(self) -> dict[str, Any]:
        def ms(values: list[float]) -> dict[str, float | None]:
            return {f"p{q}": None if (v := percentile(values, q)) is None else round(v * 1000, 2)
                    for q in (50, 95, 99)}

        return {"users": self.users, "duration_s": self.duration, "ramp_s": self.ramp, "think_s": self.think,
                "elapsed_s": round(self.elapsed, 2), "journeys": self.journeys, "failed": self.failed,
                "users_without_journey": self.users_without_journey,
                "throughput_per_s": round(self.journeys / self.elapsed, 1) if self.elapsed else 0.0,
                "time_to_first_event_ms": ms(self.ttfe), "time_to_completion_ms": ms(self.ttc),
                "errors": dict(self.errors.most_common()), "isolation_breaches": self.breaches.to_json(),
                "ok": self.ok, "reasons": self.reasons()}


def _kind(text: str) -> str:
    """An error's kind: its words up to the first detail, so a thousand timeouts are one line."""
    return text.split(":")[0][:60] if ":" in text else text[:60]


async def _drain(session: Any, record: UserRecord, profile: Profile) -> None:
    """Frames that arrived after the user's last journey still count for attribution (until 0.2 s of
    quiet, or 2 s: a run cut short by a foreign terminal event leaves the user's own runs lagging)."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            events = await session.collect_run(0.2)
        except (SessionError, OSError, TimeoutError):
            return
        if not events:
            return
        for event in events:
            record.observations.append((identities(event, profile), tuple(event.get("_canaries", ())),
                                        str(event.get(profile.type_field))))


async def run_load(base_url: str, *, users: int, duration: float, profile: Profile | None = None,
                   ramp: float = 1.0, think: float = 0.0, timeout: float = 10.0, grace: float = GRACE,
                   config: SessionConfig | None = None, message: str = "what is 6 * 7?",
                   examples: int = EXAMPLES, fault_for: Any = None) -> LoadReport:
    """`think` seconds between a user's journeys (a person reads the answer); 0 = back to back.
    `fault_for(user_number)`: a fault switch of the reference server for that user (tests)."""
    import websockets  # noqa: F401 - imported before the clock starts, not inside the first user's connect

    profile = profile or agent_events()
    report = LoadReport(users, duration, ramp=ramp, think=think)
    records = [UserRecord(f"load-user-{n}") for n in range(users)]
    clients = http_clients(users, timeout)  # before the clock starts, like the imports
    loop = asyncio.get_running_loop()
    started = loop.time()
    stop_at = started + ramp + duration  # no connect and no new journey after this
    hard_stop = stop_at + grace  # no wait after this

    async def user(number: int, record: UserRecord) -> None:
        await asyncio.sleep(ramp * number / max(users, 1))
        session = make_session(base_url, record.name, profile=profile, http=clients[number // SHARD],
                               timeout=timeout, config=config, fault=fault_for(number) if fault_for else None)
        try:
            try:
                await asyncio.wait_for(session.connect(), max(0.01, stop_at - loop.time()))
            except TimeoutError:
                report.errors["connect: not connected before the end of the duration"] += 1
                return
            except SessionError as exc:
                report.errors[f"connect: {_kind(str(exc))}"] += 1
                return
            while loop.time() < stop_at:
                wait = max(0.05, min(timeout, hard_stop - loop.time()))
                result = await run_journey(base_url, record.name, profile=profile, session=session, runs=1,
                                           timeout=wait, message=message)
                record.journeys += 1
                record.completed += result.completed
                record.canaries += result.canaries
                record.observations += result.observations
                report.journeys += 1
                if result.time_to_first_event is not None:
                    report.ttfe.append(result.time_to_first_event)
                if result.time_to_completion is not None and result.completed:
                    report.ttc.append(result.time_to_completion)
                if not result.ok:
                    report.failed += 1
                    for violation in result.violations:
                        report.errors[f"violation: {violation.rule}"] += 1
                    if result.error:
                        report.errors[f"error: {_kind(result.error)}"] += 1
                if result.error.startswith(("connection", "non-JSON", "frame is not")):
                    return  # this user's connection is gone or unreadable: its failure is counted
                if result.error:  # a run cut short leaves its late events on the socket: start afresh
                    await _drain(session, record, profile)
                    await session.close()
                    if loop.time() >= stop_at:
                        break
                    try:
                        await asyncio.wait_for(session.connect(), max(0.01, stop_at - loop.time()))
                    except (TimeoutError, SessionError):
                        report.errors["connect: reconnecting after a failed journey"] += 1
                        return
                if think:
                    await asyncio.sleep(min(think, max(0.0, stop_at - loop.time())))
            await _drain(session, record, profile)
        except Exception as exc:  # noqa: BLE001 - one user's failure is that user's, never the run's
            report.errors[f"error: {type(exc).__name__}"] += 1
        finally:
            try:
                await asyncio.wait_for(session.close(), 1.0)
            except Exception:  # noqa: BLE001
                pass

    tasks = [asyncio.ensure_future(user(n, record)) for n, record in enumerate(records)]
    try:
        done, pending = await asyncio.wait(tasks, timeout=max(0.1, hard_stop + 2.0 - loop.time()))
        for task in pending:
            task.cancel()
        if pending:
            report.errors["error: cancelled at the hard stop"] += len(pending)
            await asyncio.wait(pending, timeout=2.0)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients), return_exceptions=True)
    report.users_without_journey = sum(1 for r in records if r.completed == 0)
    report.breaches = attribute(((r.name, r.canaries, r.observations) for r in records), limit=examples)
    report.elapsed = loop.time() - started
    return report
