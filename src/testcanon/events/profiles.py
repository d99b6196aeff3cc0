"""Event profiles: the rules a stream of agent events must follow, as data.

Built in: `agent-events` (the five critical events of the chat protocol these suites test) and
`ag-ui` (the AG-UI protocol, read from `protocols/ag-ui.toml`: pinned to one protocol version, not to
whatever `ag-ui-protocol` is installed). A team describes its own protocol in a TOML file
(`load_profile_file`) or in `[tool.testcanon.events.profiles.NAME]`, with the same keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from testcanon.config import EventsConfig
from testcanon.errors import ConfigError
from testcanon.events.fields import FieldCheck, compile_fields
from testcanon.events.protocol import Protocol, protocol_from_table

CRITICAL_EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")
PROTOCOLS = Path(__file__).parent / "protocols"


@dataclass(frozen=True)
class Pairing:
    """Every `start` closed by exactly one `end` with the same key; `middle` only while open.

    `key=None`: one at a time (AG-UI's THINKING_START). `inside`: the start needs that other
    pairing open. `closed_at`: the terminal types it must be closed at (None: all of them).
    """

    name: str
    start: str
    end: str
    key: str | None
    fallback_key: str | None = None
    middle: tuple[str, ...] = ()
    allow_overlap: bool = True
    inside: str | None = None
    closed_at: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    start: str
    terminal: tuple[str, ...]
    # end a run abnormally: allowed first, after the terminal, with anything open
    errors: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    known: frozenset[str] | None = None
    required_before: tuple[tuple[str, str], ...] = ()  # (type, type that must come earlier in the run)
    pairings: tuple[Pairing, ...] = ()
    type_field: str = "type"
    run_field: str | None = "run_id"
    thread_field: str | None = None
    user_field: str | None = "user_id"
    timestamp_field: str | None = "timestamp"
    identity_on: frozenset[str] | None = None  # types whose run/thread id must be the run's (None: all)
    run_must_end: bool = True
    run_key: str | None = None  # several runs interleave on one connection: one state machine per value
    fields: tuple[tuple[str, tuple[FieldCheck, ...]], ...] = ()  # per type, from the protocol's schema
    first_event_within: float | None = None
    max_gap: float | None = None
    run_within: float | None = None
    protocol: Protocol | None = None  # the wire format: control frames, aliases, batches
    strict: bool = False
    protocol_version: str = ""
    description: str = ""

    def rule_names(self) -> tuple[str, ...]:
        names = ["start-first", "nothing-after-terminal", "run-not-finished"]
        names += [f"{t}-after-{b}" for t, b in self.required_before]
        for pairing in self.pairings:
            names.append(pairing.name)
            if pairing.closed_at is None or pairing.closed_at:
                names.append(f"{pairing.name}-closed-before-terminal")
        if self.user_field:
            names.append("identity-user")
        if self.run_field and (self.identity_on is None or self.identity_on):
            names.append("identity-run")
        if self.thread_field and (self.identity_on is None or self.identity_on):
            names.append("identity-thread")
        if self.required:
            names.append("required-types")
        if self.known is not None:
            names.append("known-types")
        if self.fields:
            names.append("fields")
        if self.first_event_within is not None:
            names.append("timing-first-event")
        if self.max_gap is not None:
            names.append("timing-gap")
        if self.run_within is not None:
            names.append("timing-run")
        return tuple(names)


def agent_events(config: EventsConfig | None = None) -> Profile:
    config = config or EventsConfig()
    return Profile(
        name="agent-events",
        description="The five critical events: agent_started first; agent_thinking before the first "
                    "tool call and before agent_completed; every tool_executing closed by its "
                    "tool_completed before agent_completed; agent_completed last.",
        start="agent_started", terminal=("agent_completed",), required=CRITICAL_EVENTS,
        known=frozenset(CRITICAL_EVENTS) | {"agent_error", "agent_response", "error"},
        required_before=(("tool_executing", "agent_thinking"), ("agent_completed", "agent_thinking")),
        pairings=(Pairing("tool-pairing", "tool_executing", "tool_completed", config.tool_call_id_field,
                          fallback_key=config.tool_name_field, allow_overlap=True),),
        type_field=config.type_field, run_field=config.run_id_field, user_field=config.user_id_field,
        timestamp_field=config.timestamp_field,
    )


_KEYS = {"start", "terminal", "errors", "required", "known", "required_before", "pairings", "type_field",
         "run_field", "thread_field", "user_field", "timestamp_field", "identity_on", "run_must_end",
         "run_key", "fields", "base_fields", "first_event_within", "max_gap", "run_within", "description",
         "extends", "name", "protocol", "protocol_version", "strict", "aliases", "ignore", "batch"}
_PAIRING_KEYS = {"name", "start", "end", "key", "fallback_key", "middle", "allow_overlap", "inside",
                 "closed_at"}
_STRICT_KEYS = {"run_must_end", "identity_on", "closed_at_extra", "required"}


def _unknown(where: str, keys: set[str], allowed: set[str]) -> None:
    unknown = keys - allowed
    if unknown:
        import difflib

        key = sorted(unknown)[0]
        hint = difflib.get_close_matches(key, sorted(allowed), n=1)
        raise ConfigError(f"{where}: '{key}' unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else ""))


def _opt(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def profile_from_table(name: str, table: dict[str, Any], config: EventsConfig, *, where: str,
                       strict: bool = False) -> Profile:
    """A profile from a TOML table, validated key by key (a file or
    `[tool.testcanon.events.profiles.NAME]`)."""
    _unknown(where, set(table), _KEYS)
    if "extends" in table or "start" not in table:
        base = builtin(str(table.get("extends", "agent-events")), config)
    else:
        base = Profile(name=name, start=str(table["start"]), terminal=(), run_field=None, user_field=None)
    values: dict[str, Any] = {"name": name}
    try:
        for key in ("start", "type_field", "description", "protocol_version"):
            if key in table:
                values[key] = str(table[key])
        for key in ("run_field", "thread_field", "user_field", "timestamp_field", "run_key"):
            if key in table:
                values[key] = _opt(table[key])
        for key in ("terminal", "errors", "required"):
            if key in table:
                values[key] = tuple(str(v) for v in table[key])
        if "known" in table:
            values["known"] = frozenset(str(v) for v in table["known"])
        if "identity_on" in table:
            values["identity_on"] = frozenset(str(v) for v in table["identity_on"])
        if "run_must_end" in table:
            values["run_must_end"] = bool(table["run_must_end"])
        if "required_before" in table:
            values["required_before"] = tuple((str(a), str(b)) for a, b in table["required_before"])
        for key in ("first_event_within", "max_gap", "run_within"):
            if key in table:
                values[key] = float(table[key])
        if "pairings" in table:
            pairings = []
            for i, p in enumerate(table["pairings"]):
                _unknown(f"{where}.pairings[{i}]", set(p), _PAIRING_KEYS)
                closed = p.get("closed_at")
                pairings.append(Pairing(
                    str(p["name"]), str(p["start"]), str(p["end"]),
                    _opt(p.get("key")), _opt(p.get("fallback_key")),
                    tuple(str(m) for m in p.get("middle", ())), bool(p.get("allow_overlap", True)),
                    _opt(p.get("inside")), None if closed is None else tuple(str(c) for c in closed)))
            values["pairings"] = tuple(pairings)
        wire = protocol_from_table(table, where=where)
        if wire is not None:
            values["protocol"] = wire
        if "fields" in table:
            compiled = compile_fields(table["fields"], table.get("base_fields", {}), where=where)
            values["fields"] = tuple(compiled.items())
            values.setdefault("known", frozenset(compiled))
        if strict:
            extra = dict(table.get("strict", {}))
            _unknown(f"{where}.strict", set(extra), _STRICT_KEYS)
            values["strict"] = True
            if "run_must_end" in extra:
                values["run_must_end"] = bool(extra["run_must_end"])
            if "identity_on" in extra:
                values["identity_on"] = frozenset(str(v) for v in extra["identity_on"])
            if "required" in extra:
                values["required"] = tuple(str(v) for v in extra["required"])
            more = {str(k): tuple(str(x) for x in v)
                    for k, v in dict(extra.get("closed_at_extra", {})).items()}
            if more:
                values["pairings"] = tuple(
                    replace(p, closed_at=tuple(p.closed_at or ()) + more[p.name]) if p.name in more else p
                    for p in values.get("pairings", base.pairings))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ConfigError(f"{where} is malformed: {exc!r}") from None
    return replace(base, **values)


def load_profile_file(path: Path, config: EventsConfig | None = None, *, strict: bool = False,
                      fields: bool = True) -> Profile:
    """A protocol description in TOML (see docs/events.md, examples/agent_chat/netra.toml)."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the event profile: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if not fields:
        table.pop("fields", None)
        table.pop("base_fields", None)
    name = str(table.pop("name", path.stem))
    table.pop("protocol", None)
    return profile_from_table(name, table, config or EventsConfig(), where=str(path), strict=strict)


@cache
def _ag_ui(strict: bool, fields: bool) -> Profile:
    return load_profile_file(PROTOCOLS / "ag-ui.toml", strict=strict, fields=fields)


def ag_ui(*, strict: bool = False, fields: bool = True) -> Profile:
    """AG-UI as its client checks it (schema + verifyEvents); `fields=False`: verifyEvents alone."""
    return _ag_ui(strict, fields)


def user_profile(name: str, table: dict[str, Any], config: EventsConfig) -> Profile:
    """A profile from `[tool.testcanon.events.profiles.NAME]`."""
    return profile_from_table(name, table, config, where=f"[tool.testcanon] 'events.profiles.{name}'")


def builtin(name: str, config: EventsConfig | None = None, *, strict: bool = False) -> Profile:
    if name == "agent-events":
        return replace(agent_events(config), strict=strict) if strict else agent_events(config)
    if name == "ag-ui":
        return ag_ui(strict=strict)
    raise ConfigError(f"unknown event profile '{name}' (built in: agent-events, ag-ui; or a .toml file)")


def get_profile(name: str, config: EventsConfig | None = None, *, strict: bool = False) -> Profile:
    config = config or EventsConfig()
    if name in config.profiles:
        return user_profile(name, dict(config.profiles[name]), config)
    if name.endswith(".toml"):
        return load_profile_file(Path(name), config, strict=strict)
    return builtin(name, config, strict=strict)
