"""Event coverage: which event types and which profile rules the suite exercised.

Every validation run in tests (`assert_valid`, the `agent_session` fixture) is recorded; at the
end of a pytest session the plugin writes `.testcanon/event-coverage.json` (one file per xdist
worker, merged when read). Schema (version 1):

    {"version": 1, "profiles": {"agent-events": {"types": {"agent_started": N, ...},
                                                 "rules": {"tool-pairing": N, ...}}}}

N is the number of tests that exercised the type or rule. `canon audit` reads it.
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
        self.rules: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def record(self, profile: Profile, validator: Any) -> None:
        test = self.current_test or "<outside a test>"
        for kind in validator.types_seen:
            if kind is not None:
                self.types[profile.name][str(kind)].add(test)
        for rule in validator.exercised:
            self.rules[profile.name][rule].add(test)

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "profiles": {
            name: {"types": {k: len(v) for k, v in self.types[name].items()},
                   "rules": {k: len(v) for k, v in self.rules[name].items()}}
            for name in set(self.types) | set(self.rules)}}

    def write(self, root: Path, worker: str | None = None) -> Path | None:
        if not self.types and not self.rules:
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
    rules: dict[str, int] = field(default_factory=dict)
    expected: list[str] = field(default_factory=list)

    @property
    def exercised(self) -> list[str]:
        return [item for item in self.expected if self._count(item) > 0]

    def _count(self, item: str) -> int:
        kind, _, name = item.partition(":")
        return (self.types if kind == "event" else self.rules).get(name, 0)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.exercised) / len(self.expected) if self.expected else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"percent": round(self.percent, 1), "items": {i: self._count(i) for i in self.expected}}


def load_event_coverage(root: Path, profile: Profile | None = None) -> EventCoverage | None:
    """Merge every event-coverage file under `.testcanon/` for the agent-events profile."""
    profile = profile or agent_events()
    files = sorted((root / ".testcanon").glob(f"{FILENAME}*.json")) if (root / ".testcanon").is_dir() else []
    if not files:
        return None
    merged = EventCoverage(expected=[f"event:{t}" for t in CRITICAL_EVENTS] + [f"rule:{r}" for r in profile.rule_names()])
    for path in files:
        try:  # state written by the plugin: a damaged or foreign file is skipped, never a crash
            data = json.loads(path.read_text())["profiles"].get(profile.name, {})
            types = {str(k): int(v) for k, v in data.get("types", {}).items()}
            rules = {str(k): int(v) for k, v in data.get("rules", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue
        for name, count in types.items():
            merged.types[name] = merged.types.get(name, 0) + count
        for name, count in rules.items():
            merged.rules[name] = merged.rules.get(name, 0) + count
    return merged


def worker_id() -> str | None:
    return os.environ.get("PYTEST_XDIST_WORKER")
