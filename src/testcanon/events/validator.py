"""A streaming validator: feed events one at a time, get violations as they happen.

One state machine per connection. It is the hot path of `canon load` and of recorded-stream
validation, so it works on plain dicts with local lookups and allocates only for violations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from testcanon.events.profiles import Profile


@dataclass(frozen=True)
class Violation:
    index: int
    rule: str
    message: str
    event: dict[str, Any] | None

    def __str__(self) -> str:
        return f"#{self.index} [{self.rule}] {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "rule": self.rule, "message": self.message, "event": self.event}


class Validator:
    """`feed(event)` -> violations of that event; `finish()` -> violations of the whole stream."""

    def __init__(self, profile: Profile, *, user_id: str | None = None) -> None:
        self.profile = profile
        self.expected_user = user_id
        self.index = -1
        self.in_run = False
        self.run_id: Any = None
        self.ended = False
        self.types_in_run: set[str] = set()
        self.types_seen: set[str] = set()
        self.exercised: set[str] = set()
        self.violations: list[Violation] = []
        self._open: list[dict[Any, int]] = [defaultdict(int) for _ in profile.pairings]
        self._open_by_name: list[dict[Any, deque[int]]] = [defaultdict(deque) for _ in profile.pairings]
        self._by_type: dict[str, list[tuple[int, str]]] = defaultdict(list)  # type -> [(pairing, role)]
        for i, pairing in enumerate(profile.pairings):
            self._by_type[pairing.start].append((i, "start"))
            self._by_type[pairing.end].append((i, "end"))
            for middle in pairing.middle:
                self._by_type[middle].append((i, "middle"))
        self._before = defaultdict(list)
        for event_type, required in profile.required_before:
            self._before[event_type].append(required)
        self._first_time: float | None = None
        self._last_time: float | None = None
        self._run_start_time: float | None = None
        self._timing = any(x is not None for x in (profile.first_event_within, profile.max_gap, profile.run_within))
        self.connected_at: float | None = None
        self._implicit_run = False

    def _add(self, rule: str, message: str, event: dict[str, Any] | None) -> None:
        self.violations.append(Violation(self.index, rule, message, event))

    def feed(self, event: dict[str, Any], received_at: float | None = None) -> list[Violation]:
        before = len(self.violations)
        self.index += 1
        profile = self.profile
        kind = event.get(profile.type_field)
        self.types_seen.add(kind)  # type: ignore[arg-type]
        exercised = self.exercised
        if profile.known is not None:
            exercised.add("known-types")
            if kind not in profile.known:
                self._add("known-types", f"unknown event type {kind!r}", event)
        if profile.user_field:
            exercised.add("identity-user")
            user = event.get(profile.user_field)
            if self.expected_user is None:
                self.expected_user = user
            elif user != self.expected_user:
                self._add("identity-user", f"event for user {user!r} on the connection of {self.expected_user!r}", event)
        if kind == profile.start:
            exercised.add("start-first")
            if self.in_run and not self._implicit_run:
                self._add("run-not-finished", f"{kind} while run {self.run_id!r} is still open", event)
            self._begin_run(event, received_at)
            self._implicit_run = False
        elif not self.in_run:
            exercised.add("start-first" if self.index == 0 else "nothing-after-terminal")
            if self.index == 0 or not self.ended:
                self._add("start-first", f"{kind} before {profile.start}", event)
                self._begin_run(event, received_at)  # go on as if the run had started: one report, not a cascade
                self._implicit_run = True
            else:
                self._add("nothing-after-terminal", f"{kind} after the run ended (only a new {profile.start} may follow)", event)
        else:
            exercised.add("inside-run")
            if profile.run_field:
                exercised.add("identity-run")
                run = event.get(profile.run_field)
                if run != self.run_id:
                    self._add("identity-run", f"event of run {run!r} inside run {self.run_id!r}", event)
        required = self._before.get(kind)  # type: ignore[arg-type]
        if required and self.in_run:
            for needed in required:
                exercised.add(f"{kind}-after-{needed}")
                if needed not in self.types_in_run:
                    self._add(f"{kind}-after-{needed}", f"{kind} before any {needed}", event)
        roles = self._by_type.get(kind)  # type: ignore[arg-type]
        if roles:
            for pairing_index, role in roles:
                self._pair(pairing_index, role, event)
        if self.in_run:
            self.types_in_run.add(kind)  # type: ignore[arg-type]
        if kind in profile.terminal:
            self._end_run(event)
        if self._timing:
            self._check_timing(event, received_at)
        return self.violations[before:]

    def _begin_run(self, event: dict[str, Any], received_at: float | None) -> None:
        self.in_run = True
        self.ended = False
        self.run_id = event.get(self.profile.run_field) if self.profile.run_field else None
        self.types_in_run = set()
        for open_pairs in self._open:
            open_pairs.clear()
        for open_names in self._open_by_name:
            open_names.clear()
        self._run_start_time = self._time(event, received_at) if self._timing else None

    def _end_run(self, event: dict[str, Any]) -> None:
        for i, pairing in enumerate(self.profile.pairings):
            self.exercised.add(f"{pairing.name}-closed-before-terminal")
            still_open = [k for k, n in self._open[i].items() if n > 0]
            still_open += [f"{name}" for name, queue in self._open_by_name[i].items() if queue]
            if still_open:
                self._add(f"{pairing.name}-closed-before-terminal",
                          f"{event.get(self.profile.type_field)} while {pairing.start} {', '.join(map(str, still_open))} "
                          f"is not closed by {pairing.end}", event)
        self.in_run = False
        self.ended = True

    def _pair(self, i: int, role: str, event: dict[str, Any]) -> None:
        pairing = self.profile.pairings[i]
        self.exercised.add(pairing.name)
        key = event.get(pairing.key)
        if key is None and pairing.fallback_key is not None:
            name = event.get(pairing.fallback_key)
            queue = self._open_by_name[i][name]
            if role == "start":
                queue.append(self.index)
            elif role == "end":
                if queue:
                    queue.popleft()
                else:
                    self._add(pairing.name, f"{pairing.end} for {name!r} without a {pairing.start}", event)
            elif not queue:
                self._add(pairing.name, f"{event.get(self.profile.type_field)} for {name!r} outside a "
                                        f"{pairing.start}/{pairing.end} pair", event)
            return
        open_pairs = self._open[i]
        if role == "start":
            if open_pairs[key] > 0:
                self._add(pairing.name, f"{pairing.start} {key!r} started twice", event)
            elif not pairing.allow_overlap and any(n > 0 for n in open_pairs.values()):
                self._add(pairing.name, f"{pairing.start} {key!r} overlaps another open one", event)
            open_pairs[key] += 1
        elif role == "end":
            if open_pairs[key] <= 0:
                self._add(pairing.name, f"{pairing.end} {key!r} without a matching {pairing.start}", event)
            else:
                open_pairs[key] -= 1
        elif open_pairs[key] <= 0:
            self._add(pairing.name, f"{event.get(self.profile.type_field)} {key!r} outside its "
                                    f"{pairing.start}/{pairing.end}", event)

    def _time(self, event: dict[str, Any], received_at: float | None) -> float | None:
        if received_at is not None:
            return received_at
        raw = event.get(self.profile.timestamp_field) if self.profile.timestamp_field else None
        if isinstance(raw, (int, float)):
            return float(raw) / (1000.0 if raw > 1e11 else 1.0)
        if isinstance(raw, str):
            try:
                return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
        return None

    def _check_timing(self, event: dict[str, Any], received_at: float | None) -> None:
        profile = self.profile
        now = self._time(event, received_at)
        if now is None:
            return
        if self._first_time is None:
            self._first_time = now
            origin = self.connected_at
            if profile.first_event_within is not None and origin is not None:
                self.exercised.add("timing-first-event")
                if now - origin > profile.first_event_within:
                    self._add("timing-first-event", f"first event after {now - origin:.3f}s "
                                                    f"(limit {profile.first_event_within:g}s)", event)
        if profile.max_gap is not None and self._last_time is not None:
            self.exercised.add("timing-gap")
            if now - self._last_time > profile.max_gap:
                self._add("timing-gap", f"{now - self._last_time:.3f}s without an event (limit {profile.max_gap:g}s)", event)
        if profile.run_within is not None and self._run_start_time is not None and \
                event.get(profile.type_field) in profile.terminal:
            self.exercised.add("timing-run")
            if now - self._run_start_time > profile.run_within:
                self._add("timing-run", f"run took {now - self._run_start_time:.3f}s (limit {profile.run_within:g}s)", event)
        self._last_time = now

    def finish(self) -> list[Violation]:
        """End of stream: a run still open, required types never seen."""
        before = len(self.violations)
        profile = self.profile
        if self.in_run:
            self.exercised.add("nothing-after-terminal")
            self.index += 1
            self._add("run-not-finished", f"stream ended inside run {self.run_id!r} (no {'/'.join(profile.terminal)})", None)
        if profile.required:
            self.exercised.add("required-types")
            missing = [t for t in profile.required if t not in self.types_seen]
            if missing:
                self._add("required-types", f"never saw {', '.join(missing)}", None)
        return self.violations[before:]


def validate(events: list[dict[str, Any]], profile: Profile, *, user_id: str | None = None) -> Validator:
    validator = Validator(profile, user_id=user_id)
    for event in events:
        validator.feed(event)
    validator.finish()
    return validator
