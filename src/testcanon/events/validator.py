"""A streaming validator: feed events one at a time, get violations as they happen.

One state machine per run: per connection, or per value of the profile's `run_key` when several
runs interleave on one connection. The run lifecycle follows AG-UI's `verifyEvents`: the start
event first (or an error event), nothing but an error or a new start after the terminal event,
nothing but a new start after an error, no start inside an active run. It is the hot path of
`canon load` and of recorded-stream validation: a compiled plan per event type, plain dicts, and
allocation only for violations.

Why one module past 400 lines: one state machine per run; its transitions and the checks made
on them are read together.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from testcanon.events.fields import field_errors
from testcanon.events.profiles import Pairing, Profile

_NONE: tuple[Violation, ...] = ()


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


class _Run:
    """The state of one run."""

    __slots__ = ("first", "started", "finished", "errored", "implicit", "active", "run_id", "thread_id",
                 "types", "open", "named", "start_time")

    def __init__(self, pairings: int) -> None:
        self.first = False
        self.started = self.finished = self.errored = self.implicit = False
        self.active = False  # started, and neither finished nor errored
        self.run_id: Any = None
        self.thread_id: Any = None
        self.types: set[Any] = set()
        self.open: list[dict[Any, int]] = [{} for _ in range(pairings)]
        self.named: list[dict[Any, deque[int]]] = [{} for _ in range(pairings)]
        self.start_time: float | None = None

    def begin(self, seen: set[Any]) -> None:
        """A new run; the types of the last one are kept in `seen` (the stream's types). Containers are
        cleared in place: the fast path holds them."""
        seen.update(self.types)
        self.started, self.finished, self.errored, self.implicit = True, False, False, False
        self.active = True
        self.types.clear()
        for table in self.open:
            table.clear()
        for table in self.named:
            table.clear()


class Validator:
    """`feed(event)` -> violations of that event; `finish()` -> violations of the whole stream."""

    @property
    def index(self) -> int:
        """The index of the last event fed (-1 before the first)."""
        return self._state["index"]  # type: ignore[no-any-return]

    @index.setter
    def index(self, value: int) -> None:
        self._state["index"] = value

    @property
    def expected_user(self) -> Any:
        """The connection's user: given, or the first user id seen."""
        return self._state["expected_user"]

    @expected_user.setter
    def expected_user(self, value: Any) -> None:
        self._state["expected_user"] = value

    def __init__(self, profile: Profile, *, user_id: str | None = None) -> None:
        self.profile = profile
        self._state: dict[str, Any] = {"index": -1, "expected_user": user_id}  # shared with the fast path
        self.types_seen: set[Any] = set()
        self.violations: list[Violation] = []
        self.connected_at: float | None = None
        self._pairings = profile.pairings
        self._by_name = {p.name: i for i, p in enumerate(profile.pairings)}
        roles: dict[str, list[tuple[int, int]]] = {}  # type -> [(pairing, 0 start / 1 middle / 2 end)]
        for i, pairing in enumerate(profile.pairings):
            roles.setdefault(pairing.start, []).append((i, 0))
            roles.setdefault(pairing.end, []).append((i, 2))
            for middle in pairing.middle:
                roles.setdefault(middle, []).append((i, 1))
        self._roles = {k: tuple(v) for k, v in roles.items()}
        before: dict[str, list[str]] = {}
        for event_type, required in profile.required_before:
            before.setdefault(event_type, []).append(required)
        self._before = {k: tuple(v) for k, v in before.items()}
        self._closed_at: dict[str, tuple[int, ...]] = {}
        for kind in profile.terminal:
            self._closed_at[kind] = tuple(i for i, p in enumerate(profile.pairings)
                                          if p.closed_at is None or kind in p.closed_at)
        self._fields = dict(profile.fields)
        self._identity = profile.identity_on
        self._check_run = profile.run_field if self._identity is None or self._identity else None
        self._check_thread = profile.thread_field if self._identity is None or self._identity else None
        self._timing = any(x is not None for x in (profile.first_event_within, profile.max_gap,
                                                   profile.run_within))
        self._first_time: float | None = None
        self._last_time: float | None = None
        self._run_key = profile.run_key
        self._runs: dict[Any, _Run] = {}
        self._run = _Run(len(profile.pairings))
        from testcanon.events.fastpath import compile_fast

        self._struct_feed: Any = None
        fast = compile_fast(self)
        if fast is not None:
            self.feed = fast  # type: ignore[method-assign]

    # -- reporting -----------------------------------------------------------------------------

    def _add(self, rule: str, message: str, event: dict[str, Any] | None) -> None:
        self.violations.append(Violation(self.index, rule, message, event))

    @property
    def exercised(self) -> set[str]:
        """Rules this stream put to the test (held or failed)."""
        from testcanon.events.coverage import exercised_rules

        return exercised_rules(self)

    # -- the hot path --------------------------------------------------------------------------

    def feed(self, event: dict[str, Any], received_at: float | None = None) -> Sequence[Violation]:
        """Validate one event; its violations (the instance may carry a faster twin of this method)."""
        return self._feed_general(event, received_at)

    def _feed_general(self, event: dict[str, Any], received_at: float | None = None) -> Sequence[Violation]:
        violations = self.violations
        before = len(violations)
        self.index += 1
        profile = self.profile
        kind = event.get(profile.type_field)
        self.types_seen.add(kind)
        if profile.known is not None and kind not in profile.known:
            self._add("known-types", f"unknown event type {kind!r}", event)
        elif self._fields:
            checks = self._fields.get(kind)  # type: ignore[arg-type]
            if checks:
                problem = field_errors(event, checks)
                if problem is not None:
                    self._add("fields", f"{kind}: {problem}", event)
        user_field = profile.user_field
        if user_field:
            user = event.get(user_field)
            if user is not None:  # absent is not foreign
                if self.expected_user is None:
                    self.expected_user = user
                elif user != self.expected_user:
                    self._add("identity-user", f"event for user {user!r} on the connection of "
                                               f"{self.expected_user!r}", event)
        if self._run_key is None:
            run = self._run
        else:
            key = event.get(self._run_key)
            run = self._runs.get(key)
            if run is None:
                run = self._runs[key] = _Run(len(self._pairings))
        self._step(run, kind, event, received_at)
        if self._timing:
            self._check_timing(run, event, received_at)
        return violations[before:] if len(violations) != before else _NONE

    def feed_frame(self, frame: Any, received_at: float | None = None) -> list[Violation]:
        """A frame as the wire carries it: control frames dropped, aliases mapped, batches unpacked."""
        protocol = self.profile.protocol
        if protocol is None:
            return list(self.feed(frame, received_at))
        found: list[Violation] = []
        for event in protocol.frames(frame):
            found.extend(self.feed(event, received_at))
        return found

    def feed_structs(self, events: Iterable[Any]) -> int:
        """Feed events decoded as `fastpath.event_struct(fastpath.struct_fields(profile))` Structs (the
        fastest way through a recorded stream); the number fed."""
        from testcanon.events.fastpath import compile_fast, todict

        feed = self._struct_feed
        if feed is None:
            feed = self._struct_feed = (compile_fast(self, structs=True)
                                        or (lambda e: self._feed_general(todict(e))))
        count = 0
        for event in events:
            feed(event)
            count += 1
        return count

    def feed_many(self, events: Iterable[dict[str, Any]]) -> int:
        """Feed a whole recorded stream (frames, through the profile's wire format); the number of
        events fed."""
        feed = self.feed
        protocol = self.profile.protocol
        count = 0
        if protocol is None:
            for event in events:
                feed(event)
                count += 1
            return count
        frames = protocol.frames
        for frame in events:
            for event in frames(frame):
                feed(event)
                count += 1
        return count

    def _step(self, run: _Run, kind: Any, event: dict[str, Any], received_at: float | None) -> None:
        profile = self.profile
        start = profile.start
        if run.errored and kind != start:
            self._add("nothing-after-terminal", f"{kind} after {'/'.join(profile.errors)}: only a new "
                                                f"{start} may follow", event)
            return
        if run.finished and kind != start and kind not in profile.errors:
            self._add("nothing-after-terminal",
                      f"{kind} after the run ended (only a new {start} may follow)", event)
            return
        if kind == start:
            if run.started and not (run.finished or run.errored or run.implicit):
                self._add("run-not-finished", f"{kind} while run {run.run_id!r} is still open", event)
            run.first = True
            run.begin(self.types_seen)
            run.run_id = event.get(profile.run_field) if profile.run_field else None
            run.thread_id = event.get(profile.thread_field) if profile.thread_field else None
            if self._timing:
                run.start_time = self._time(event, received_at)
            return
        if not run.first:
            run.first = True
            if kind not in profile.errors:
                self._add("start-first", f"{kind} before {start}", event)
                run.begin(self.types_seen)  # go on as if the run had started: one report, not a cascade
                run.implicit = True
        elif not run.started and kind not in profile.errors:
            self._add("start-first", f"{kind} before {start}", event)
            run.begin(self.types_seen)
            run.implicit = True
        if self._identity is None or kind in self._identity:
            field_name = self._check_run
            if field_name is not None:
                value = event.get(field_name)
                if value is not None and run.run_id is not None and value != run.run_id:
                    self._add("identity-run", f"event of run {value!r} inside run {run.run_id!r}", event)
            field_name = self._check_thread
            if field_name is not None:
                value = event.get(field_name)
                if value is not None and run.thread_id is not None and value != run.thread_id:
                    self._add("identity-thread",
                              f"event of thread {value!r} inside thread {run.thread_id!r}", event)
        required = self._before.get(kind)
        if required:
            for needed in required:
                if needed not in run.types:
                    self._add(f"{kind}-after-{needed}", f"{kind} before any {needed}", event)
        roles = self._roles.get(kind)
        if roles:
            for pairing_index, role in roles:
                self._pair(run, pairing_index, role, kind, event)
        run.types.add(kind)
        if kind in profile.terminal:
            for i in self._closed_at[kind]:
                still_open = [k for k, n in run.open[i].items() if n > 0]
                still_open += [name for name, queue in run.named[i].items() if queue]
                if still_open:
                    pairing = self._pairings[i]
                    self._add(f"{pairing.name}-closed-before-terminal",
                              f"{kind} while {pairing.start} {', '.join(map(str, still_open))} "
                              f"is not closed by {pairing.end}", event)
            run.finished = True
            run.active = False
        elif kind in profile.errors:
            run.errored = True
            run.started = True
            run.active = False

    def _pair(self, run: _Run, i: int, role: int, kind: Any, event: dict[str, Any]) -> None:
        pairing: Pairing = self._pairings[i]
        if pairing.key is None:  # one at a time
            open_pairs = run.open[i]
            is_open = open_pairs.get(None, 0) > 0
            if role == 0:
                if pairing.inside is not None and run.open[self._by_name[pairing.inside]].get(None, 0) <= 0:
                    parent = self._pairings[self._by_name[pairing.inside]]
                    self._add(pairing.name, f"{kind} outside a {parent.start}/{parent.end}", event)
                elif is_open:
                    self._add(pairing.name, f"{kind} while one is in progress", event)
                open_pairs[None] = 1
            elif not is_open:
                self._add(pairing.name, f"{kind} without an open {pairing.start}", event)
            elif role == 2:
                open_pairs[None] = 0
            return
        key = event.get(pairing.key)
        if key is None and pairing.fallback_key is not None:
            name = event.get(pairing.fallback_key)
            queue = run.named[i].get(name)
            if role == 0:
                if queue is None:
                    queue = run.named[i][name] = deque()
                queue.append(self.index)
            elif role == 2:
                if queue:
                    queue.popleft()
                else:
                    self._add(pairing.name, f"{pairing.end} for {name!r} without a {pairing.start}", event)
            elif not queue:
                self._add(pairing.name,
                          f"{kind} for {name!r} outside a {pairing.start}/{pairing.end} pair", event)
            return
        open_pairs = run.open[i]
        count = open_pairs.get(key, 0)
        if role == 0:
            if count > 0:  # still one open: a second start is reported, not counted
                self._add(pairing.name, f"{pairing.start} {key!r} started twice", event)
                return
            if not pairing.allow_overlap and any(n > 0 for n in open_pairs.values()):
                self._add(pairing.name, f"{pairing.start} {key!r} overlaps another open one", event)
            open_pairs[key] = 1
        elif count <= 0:
            if role == 2:
                self._add(pairing.name, f"{pairing.end} {key!r} without a matching {pairing.start}", event)
            else:
                self._add(pairing.name, f"{kind} {key!r} outside its {pairing.start}/{pairing.end}", event)
        elif role == 2:
            open_pairs[key] = count - 1

    # -- timing --------------------------------------------------------------------------------

    def _time(self, event: dict[str, Any], received_at: float | None) -> float | None:
        if received_at is not None:
            return received_at
        raw = event.get(self.profile.timestamp_field) if self.profile.timestamp_field else None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw) / (1000.0 if raw > 1e11 else 1.0)
        if isinstance(raw, str):
            try:
                return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
        return None

    def _check_timing(self, run: _Run, event: dict[str, Any], received_at: float | None) -> None:
        profile = self.profile
        now = self._time(event, received_at)
        if now is None:
            return
        if self._first_time is None:
            self._first_time = now
            origin = self.connected_at
            if (profile.first_event_within is not None and origin is not None
                and now - origin > profile.first_event_within):
                self._add("timing-first-event", f"first event after {now - origin:.3f}s "
                                                f"(limit {profile.first_event_within:g}s)", event)
        if (profile.max_gap is not None and self._last_time is not None
            and now - self._last_time > profile.max_gap):
            self._add("timing-gap",
                      f"{now - self._last_time:.3f}s without an event (limit {profile.max_gap:g}s)", event)
        if profile.run_within is not None and run.start_time is not None and \
                event.get(profile.type_field) in profile.terminal and \
                now - run.start_time > profile.run_within:
            self._add("timing-run",
                      f"run took {now - run.start_time:.3f}s (limit {profile.run_within:g}s)", event)
        self._last_time = now

    # -- end of stream -------------------------------------------------------------------------

    def finish(self) -> list[Violation]:
        """End of stream: a run still open (when the profile says runs must end), required types
        never seen."""
        before = len(self.violations)
        profile = self.profile
        self.types_seen.update(self._run.types)
        for run in self._runs.values():
            self.types_seen.update(run.types)
        if profile.run_must_end:
            runs = self._runs.items() if self._run_key is not None else [(None, self._run)]
            for key, run in runs:
                if run.started and not (run.finished or run.errored):
                    self.index += 1
                    where = f" of {self._run_key} {key!r}" if self._run_key is not None else ""
                    self._add("run-not-finished", f"stream ended inside run {run.run_id!r}{where} "
                                                  f"(no {'/'.join(profile.terminal)})", None)
        if profile.required:
            missing = [t for t in profile.required if t not in self.types_seen]
            if missing:
                self._add("required-types", f"never saw {', '.join(missing)}", None)
        return self.violations[before:]


def validate(events: Iterable[dict[str, Any]], profile: Profile, *, user_id: str | None = None) -> Validator:
    validator = Validator(profile, user_id=user_id)
    validator.feed_many(events)
    validator.finish()
    return validator
