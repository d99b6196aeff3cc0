"""`canon events validate`, `canon journey`, `canon load`: agent event streams, for real."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from testcanon.output.formats import TEXT_OR_JSON, OutputFormat, format_option

events_app = typer.Typer(help="Validate agent event streams.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events", help="Validate recorded agent event streams (JSONL).")
    app.command("journey")(journey_command)
    app.command("load")(load_command)


def _profile(name: str, project_path: Path, *, strict: bool = False):
    from testcanon.config import load_project
    from testcanon.events.profiles import get_profile

    return get_profile(name, load_project(project_path).config.events, strict=strict)


@events_app.command("validate")
def validate_command(
    files: list[Path] = typer.Argument(..., help="Recorded streams, one connection per JSONL file."),
    profile: str = typer.Option("agent-events", "--profile", "-p",
                                help="agent-events, ag-ui, one from config, or a profile file (.toml)."),
    strict: bool = typer.Option(False, "--strict", help="Add the profile's stricter rules (its [strict] table)."),
    output_format: OutputFormat = format_option(TEXT_OR_JSON),
) -> None:
    """Validate recorded streams against a profile; print each violation with its event index."""
    from testcanon.events.fastpath import event_struct, struct_fields
    from testcanon.events.stream import read_jsonl_chunks
    from testcanon.events.validator import Validator

    chosen = _profile(profile, Path("."), strict=strict)
    failed = False
    documents = []
    for path in files:
        validator = Validator(chosen)
        fields = struct_fields(chosen) if output_format is OutputFormat.text else None  # json: whole frames in the report
        if fields is not None:
            struct = event_struct(fields)
            count = sum(validator.feed_structs(chunk) for chunk in read_jsonl_chunks(path, struct))
        else:
            count = sum(validator.feed_many(chunk) for chunk in read_jsonl_chunks(path))
        validator.finish()
        failed |= bool(validator.violations)
        if output_format is OutputFormat.json:
            documents.append({"file": str(path), "events": count,
                              "violations": [v.to_json() for v in validator.violations]})
        else:
            verdict = "valid" if not validator.violations else f"{len(validator.violations)} violation(s)"
            typer.echo(f"{path}: {count} events, {verdict} ({chosen.name})")
            for violation in validator.violations:
                typer.echo(f"  {violation}")
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(documents, indent=1))
    if failed:
        raise typer.Exit(1)


def _target(base_url: str, allow_host: list[str] | None, project_path: Path):
    """The project's events config and session config, once the target is known to be allowed."""
    from testcanon.config import load_project
    from testcanon.events.client import SessionConfig
    from testcanon.events.targets import check_target

    events = load_project(project_path).config.events
    check_target(base_url, [*events.allowed_hosts, *(allow_host or [])])
    return events, SessionConfig.from_table(dict(events.session))


def journey_command(
    base_url: str = typer.Option(..., "--base-url", help="The chat server, e.g. http://127.0.0.1:8765"),
    user: str = typer.Option("journey-user", "--user", help="Username to log in as."),
    message: str = typer.Option("what is 6 * 7?", "--message", help="What to ask."),
    profile: str = typer.Option("agent-events", "--profile", "-p", help="Profile to validate against."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, max=3600, help="Seconds to wait for the run."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host", help="A non-loopback host to allow."),
) -> None:
    """Login -> connect -> send -> collect -> validate; print timings and the verdict."""
    import asyncio

    from testcanon.events.journey import run_journey

    _, session_config = _target(base_url, allow_host, Path("."))
    result = asyncio.run(run_journey(base_url, user, message=message, profile=_profile(profile, Path(".")),
                                     timeout=timeout, config=session_config))
    data = result.to_json()
    typer.echo(f"events: {data['events']}")
    typer.echo(f"time to first event: {data['time_to_first_event_ms']} ms")
    typer.echo(f"time to completion: {data['time_to_completion_ms']} ms")
    for line in data["violations"] + data["cross_talk"] + ([data["error"]] if data["error"] else []):
        typer.echo(f"  {line}")
    typer.echo("verdict: " + ("PASS" if result.ok else "FAIL"))
    if not result.ok:
        raise typer.Exit(1)


def load_command(
    base_url: str = typer.Option(..., "--base-url", help="The chat server (loopback or an allowed host)."),
    users: int = typer.Option(10, "--users", min=1, max=20000, help="Concurrent simulated users."),
    duration: float = typer.Option(10.0, "--duration", min=0.1, max=3600, help="Seconds of journeys after the ramp."),
    profile: str = typer.Option("agent-events", "--profile", "-p", help="Profile to validate against."),
    ramp: float = typer.Option(1.0, "--ramp", min=0, max=3600, help="Seconds over which users connect."),
    think: float = typer.Option(0.0, "--think", min=0, max=3600, help="Seconds a user waits between journeys."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, max=3600, help="Seconds a journey may take."),
    output: Optional[Path] = typer.Option(None, "--json", dir_okay=False, help="Write the report as JSON here."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host", help="A non-loopback host to allow."),
) -> None:
    """N concurrent users running journeys; latency percentiles, errors, isolation breaches by ownership."""
    import asyncio

    from testcanon.events.load import run_load

    _, session_config = _target(base_url, allow_host, Path("."))
    report = asyncio.run(run_load(base_url, users=users, duration=duration, profile=_profile(profile, Path(".")),
                                  ramp=ramp, think=think, timeout=timeout, config=session_config))
    data = report.to_json()
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
    if output:
        output.write_text(json.dumps(data, indent=1))
    typer.echo("verdict: " + ("PASS" if report.ok else "FAIL (" + "; ".join(data["reasons"]) + ")"))
    if not report.ok:
        raise typer.Exit(1)
