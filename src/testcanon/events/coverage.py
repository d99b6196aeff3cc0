"""Event coverage: which event types the suite saw, and which profile rules it put to the test.

A rule counts as exercised only when the suite saw it both hold and fail: a rule no test ever saw
fail may not be checked at all (one happy-path test used to mark every rule "exercised"). Every
validation in tests (`assert_valid`, the `agent_session` fixture) is recorded; at the end of a
pytest session the plugin writes `.testcanon/event-coverage.json` (one file per xdist worker,
merged when read). Schema (version 2):

    {"version": 2, "profiles": {"agent-events": {"types": {"agent_started": N, ...},
                                                 "held": {"tool-pairing": N, ...},
                                                 "failed": {"tool-pairing": N, ...}}}}

N is the number of tests that saw the type, or saw the rule hold (checked, no violation) or fail.
Per profile; `canon audit` reads the agent-events one. Version 1 files (rules without a side) count
as held only.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testcanon.events.profiles import CRITICAL_EVENTS, Profile, agent_events

FILENAME = "event-coverage"


class Recorder:
    """Collects, per test, what each validation exercised."""

    def __init__(self) -> None:
        self.current_test: str | None = None
        self.types: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.held: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.failed: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def record(self, profile: Profile, validator: Any) -> None:
        test = self.current_test or "<outside a test>"
        for kind in validator.types_seen:
            if kind is not None:
                self.types[profile.name][str(kind)].add(test)
        failed = {v.rule for v in validator.violations}
        for rule in failed:
            self.failed[profile.name][rule].add(test)
        for rule in exercised_rules(validator) - failed:
            self.held[profile.name][rule].add(test)

    def to_json(self) -> dict[str, Any]:
        names = set(self.types) | set(self.held) | set(self.failed)
        return {"version": 2, "profiles": {
            name: {"types": {k: len(v) for k, v in self.types[name].items()},
                   "held": {k: len(v) for k, v in self.held[name].items()},
                   "failed": {k: len(v) for k, v in self.failed[name].items()}}
            for name in names}}

    def write(self, root: Path, worker: str | None = None) -> Path | None:
        if not self.types and not self.held and not self.failed:
            return None
        directory = root / ".testcanon"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / (f"{FILENAME}.{worker}.json" if worker else f"{FILENAME}.json")
        path.write_text(json.dumps(self.to_json(), indent=1))
        return path


RECORDER = Recorder()


@dataclass
class EventCoverage:
    types: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    expected: list[str] = field(default_factory=list)

    @property
    def rules(self) -> dict[str, int]:
        """Per rule, how many times it was seen both ways (the lesser of held and failed)."""
        return {r: min(self.held.get(r, 0), self.failed.get(r, 0)) for r in set(self.held) | set(self.failed)}

    @property
    def exercised(self) -> list[str]:
        return [item for item in self.expected if self._count(item) > 0]

    def _count(self, item: str) -> int:
        kind, _, name = item.partition(":")
        if kind == "event":
            return self.types.get(name, 0)
        return min(self.held.get(name, 0), self.failed.get(name, 0))

    @property
    def percent(self) -> float:
        return 100.0 * len(self.exercised) / len(self.expected) if self.expected else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"percent": round(self.percent, 1), "items": {i: self._count(i) for i in self.expected},
                "held_only": sorted(r for r in self.held if not self.failed.get(r)),
                "failed_only": sorted(r for r in self.failed if not self.held.get(r))}


def load_event_coverage(root: Path, profile: Profile | None = None) -> EventCoverage | None:
    """Merge every event-coverage file under `.testcanon/` for one profile (agent-events by default)."""
    profile = profile or agent_events()
    files = sorted((root / ".testcanon").glob(f"{FILENAME}*.json")) if (root / ".testcanon").is_dir() else []
    if not files:
        return None
    merged = EventCoverage(expected=[f"event:{t}" for t in CRITICAL_EVENTS]
                           + [f"rule:{r}" for r in profile.rule_names()])
    for path in files:
        try:  # state written by the plugin: a damaged or foreign file is skipped, never a crash
            data = json.loads(path.read_text())["profiles"].get(profile.name, {})
            counts = {side: _counts(data.get(side, {})) for side in ("types", "held", "failed", "rules")}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue
        for side, table in (("types", merged.types), ("held", merged.held), ("failed", merged.failed),
                            ("rules", merged.held)):  # "rules": a version 1 file, held only
            for name, count in counts[side].items():
                table[name] = table.get(name, 0) + count
    return merged


def exercised_rules(validator: Any) -> set[str]:
    """The rules a validation put to the test: each rule whose event types the stream carried, and every
    rule that failed."""
    profile: Profile = validator.profile
    seen = validator.types_seen
    rules = {v.rule for v in validator.violations}
    if not seen:
        return rules
    rules |= {"start-first", "nothing-after-terminal", "run-not-finished"}
    rules |= {f"{t}-after-{b}" for t, b in profile.required_before if t in seen}
    for pairing in profile.pairings:
        if {pairing.start, pairing.end, *pairing.middle} & seen:
            rules.add(pairing.name)
            if (pairing.closed_at is None or pairing.closed_at) and set(profile.terminal) & seen:
                rules.add(f"{pairing.name}-closed-before-terminal")
    names = set(profile.rule_names())
    rules |= names & {"identity-user", "identity-run", "identity-thread", "required-types", "known-types",
                      "fields"}
    return rules


def worker_id() -> str | None:
    return os.environ.get("PYTEST_XDIST_WORKER")


def _counts(table: object) -> dict[str, int]:
    """A {name: count} table of the plugin's file; TypeError/AttributeError when it is not one."""
    return {str(k): int(v) for k, v in table.items()}  # type: ignore[attr-defined]
