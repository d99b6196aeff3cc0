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
    strict: bool = typer.Option(False, "--strict",
                                help="Add the profile's stricter rules (its [strict] table)."),
    output_format: OutputFormat = format_option(TEXT_OR_JSON),
) -> None:
    """Validate recorded streams against a profile; print each violation with its event index."""
    from testcanon.events.fastpath import event_struct, struct_fields
    from testcanon.events.render import StreamVerdict, print_stream, render_streams
    from testcanon.events.stream import read_jsonl_chunks
    from testcanon.events.validator import Validator

    chosen = _profile(profile, Path("."), strict=strict)
    verdicts: list[StreamVerdict] = []
    failed = False
    for path in files:
        validator = Validator(chosen)
        # json: whole frames in the report
        fields = struct_fields(chosen) if output_format is OutputFormat.text else None
        if fields is not None:
            struct = event_struct(fields)
            count = sum(validator.feed_structs(chunk) for chunk in read_jsonl_chunks(path, struct))
        else:
            count = sum(validator.feed_many(chunk) for chunk in read_jsonl_chunks(path))
        validator.finish()
        verdict = StreamVerdict(path, count, tuple(validator.violations))
        failed |= bool(verdict.violations)
        if output_format is OutputFormat.text:
            print_stream(verdict, chosen.name)  # as each stream is done; nothing kept
        else:
            verdicts.append(verdict)
    render_streams(output_format, verdicts)
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
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host",
                                                   help="A non-loopback host to allow."),
) -> None:
    """Login -> connect -> send -> collect -> validate; print timings and the verdict."""
    import asyncio

    from testcanon.events.journey import run_journey
    from testcanon.events.render import print_journey

    _, session_config = _target(base_url, allow_host, Path("."))
    result = asyncio.run(run_journey(base_url, user, message=message, profile=_profile(profile, Path(".")),
                                     timeout=timeout, config=session_config))
    print_journey(result.to_json(), result.ok)
    if not result.ok:
        raise typer.Exit(1)


def load_command(
    base_url: str = typer.Option(..., "--base-url", help="The chat server (loopback or an allowed host)."),
    users: int = typer.Option(10, "--users", min=1, max=20000, help="Concurrent simulated users."),
    duration: float = typer.Option(10.0, "--duration", min=0.1, max=3600,
                                   help="Seconds of journeys after the ramp."),
    profile: str = typer.Option("agent-events", "--profile", "-p", help="Profile to validate against."),
    ramp: float = typer.Option(1.0, "--ramp", min=0, max=3600, help="Seconds over which users connect."),
    think: float = typer.Option(0.0, "--think", min=0, max=3600,
                                help="Seconds a user waits between journeys."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, max=3600, help="Seconds a journey may take."),
    output: Optional[Path] = typer.Option(None, "--json", dir_okay=False,
                                          help="Write the report as JSON here."),
    allow_host: Optional[list[str]] = typer.Option(None, "--allow-host",
                                                   help="A non-loopback host to allow."),
) -> None:
    """N concurrent users running journeys; latency percentiles, errors, isolation breaches by ownership."""
    import asyncio

    from testcanon.events.load import run_load
    from testcanon.events.render import load_verdict, print_load

    _, session_config = _target(base_url, allow_host, Path("."))
    report = asyncio.run(run_load(base_url, users=users, duration=duration,
                                  profile=_profile(profile, Path(".")),
                                  ramp=ramp, think=think, timeout=timeout, config=session_config))
    data = report.to_json()
    print_load(data, users)
    if output:
        output.write_text(json.dumps(data, indent=1))
    typer.echo(load_verdict(data, report.ok))
    if not report.ok:
        raise typer.Exit(1)
