"""The output of `canon events validate`, `canon journey` and `canon load`: one line per fact
for people (typer.echo, no markup: these lines are grepped in CI logs), JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from testcanon.events.validator import Violation
from testcanon.output.formats import OutputFormat


@dataclass(frozen=True)
class StreamVerdict:
    """One recorded stream as validated: how many events, which violations."""

    path: Path
    events: int
    violations: tuple[Violation, ...]

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "events": self.events,
                "violations": [v.to_json() for v in self.violations]}


def print_stream(verdict: StreamVerdict, profile: str) -> None:
    """The text report of one stream (printed as each stream is done)."""
    summary = "valid" if not verdict.violations else f"{len(verdict.violations)} violation(s)"
    typer.echo(f"{verdict.path}: {verdict.events} events, {summary} ({profile})")
    for violation in verdict.violations:
        typer.echo(f"  {violation}")


def render_streams(output_format: OutputFormat, verdicts: Sequence[StreamVerdict]) -> None:
    """What is printed once every stream is validated (text printed its lines already)."""
    if output_format is OutputFormat.json:
        typer.echo(json.dumps([v.to_json() for v in verdicts], indent=1))


def print_journey(data: dict[str, Any], ok: bool) -> None:
    typer.echo(f"events: {data['events']}")
    typer.echo(f"time to first event: {data['time_to_first_event_ms']} ms")
    typer.echo(f"time to completion: {data['time_to_completion_ms']} ms")
    for line in data["violations"] + data["cross_talk"] + ([data["error"]] if data["error"] else []):
        typer.echo(f"  {line}")
    typer.echo("verdict: " + ("PASS" if ok else "FAIL"))


def print_load(data: dict[str, Any], users: int) -> None:
    """Everything but the verdict line (printed after the JSON report is written)."""
    typer.echo(f"users {users}, journeys {data['journeys']}, failed {data['failed']}, "
               f"users without a journey {data['users_without_journey']}, "
               f"throughput {data['throughput_per_s']}/s, elapsed {data['elapsed_s']} s")
    typer.echo(f"time to first event (ms): {data['time_to_first_event_ms']}")
    typer.echo(f"time to completion (ms): {data['time_to_completion_ms']}")
    for name, count in data["errors"].items():
        typer.echo(f"  {count} x {name}")
    breaches = data["isolation_breaches"]
    if breaches["count"]:
        typer.echo(f"ISOLATION BREACHES: {breaches['count']}")
        for example in breaches["examples"]:
            typer.echo(f"  {example}")


def load_verdict(data: dict[str, Any], ok: bool) -> str:
    return "verdict: " + ("PASS" if ok else "FAIL (" + "; ".join(data["reasons"]) + ")")
