"""Event profiles: the rules a stream of agent events must follow, as data.

Built in: `agent-events` (the five critical events of the chat protocol these suites test) and
`ag-ui` (the AG-UI protocol: the event type names come from the `ag-ui-protocol` package; the
ordering rules its TypeScript and Go SDKs enforce are declared here). Users declare their own
in `[tool.testcanon.events.profiles.NAME]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from testcanon.config import EventsConfig
from testcanon.errors import ConfigError

CRITICAL_EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")


@dataclass(frozen=True)
class Pairing:
    """Every `start` closed by exactly one `end` with the same key; `middle` only while open."""

    name: str
    start: str
    end: str
    key: str
    fallback_key: str | None = None
    middle: tuple[str, ...] = ()
    allow_overlap: bool = True


@dataclass(frozen=True)
class Profile:
    name: str
    start: str
    terminal: tuple[str, ...]
    required: tuple[str, ...] = ()
    known: frozenset[str] | None = None
    required_before: tuple[tuple[str, str], ...] = ()  # (type, type that must come earlier in the run)
    pairings: tuple[Pairing, ...] = ()
    type_field: str = "type"
    run_field: str | None = "run_id"
    user_field: str | None = "user_id"
    timestamp_field: str | None = "timestamp"
    first_event_within: float | None = None
    max_gap: float | None = None
    run_within: float | None = None
    description: str = ""
    rules: tuple[str, ...] = field(default=())

    def rule_names(self) -> tuple[str, ...]:
        names = ["start-first", "nothing-after-terminal", "inside-run"]
        names += [f"{t}-after-{b}" for t, b in self.required_before]
        for pairing in self.pairings:
            names += [f"{pairing.name}", f"{pairing.name}-closed-before-terminal"]
        if self.user_field:
            names.append("identity-user")
        if self.run_field:
            names.append("identity-run")
        if self.required:
            names.append("required-types")
        if self.known is not None:
            names.append("known-types")
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


def ag_ui() -> Profile:
    from ag_ui.core import EventType

    known = frozenset(e.value for e in EventType)
    return Profile(
        name="ag-ui",
        description="AG-UI: RUN_STARTED first; nothing after RUN_FINISHED/RUN_ERROR but a new run; "
                    "TEXT_MESSAGE_START/CONTENT/END paired by messageId, TOOL_CALL_START/ARGS/END by "
                    "toolCallId; no RUN_FINISHED while one is open.",
        start=EventType.RUN_STARTED.value,
        terminal=(EventType.RUN_FINISHED.value, EventType.RUN_ERROR.value),
        known=known,
        pairings=(
            Pairing("text-message-pairing", EventType.TEXT_MESSAGE_START.value, EventType.TEXT_MESSAGE_END.value,
                    "messageId", middle=(EventType.TEXT_MESSAGE_CONTENT.value,), allow_overlap=True),
            Pairing("tool-call-pairing", EventType.TOOL_CALL_START.value, EventType.TOOL_CALL_END.value,
                    "toolCallId", middle=(EventType.TOOL_CALL_ARGS.value,), allow_overlap=True),
        ),
        type_field="type", run_field="runId", user_field=None, timestamp_field="timestamp",
    )


_USER_KEYS = {"start", "terminal", "required", "known", "required_before", "pairings", "type_field",
              "run_field", "user_field", "timestamp_field", "first_event_within", "max_gap", "run_within",
              "description", "extends"}


def user_profile(name: str, table: dict[str, Any], config: EventsConfig) -> Profile:
    """A profile from `[tool.testcanon.events.profiles.NAME]`, validated key by key."""
    unknown = set(table) - _USER_KEYS
    if unknown:
        import difflib

        key = sorted(unknown)[0]
        hint = difflib.get_close_matches(key, sorted(_USER_KEYS), n=1)
        raise ConfigError(f"[tool.testcanon] 'events.profiles.{name}.{key}' unknown key"
                          + (f" (did you mean '{hint[0]}'?)" if hint else ""))
    base = builtin(str(table.get("extends", "agent-events")), config) if "extends" in table or "start" not in table \
        else Profile(name=name, start=str(table["start"]), terminal=())
    values: dict[str, Any] = {"name": name}
    try:
        for key in ("start", "type_field", "run_field", "user_field", "timestamp_field", "description"):
            if key in table:
                values[key] = str(table[key])
        for key in ("terminal", "required"):
            if key in table:
                values[key] = tuple(str(v) for v in table[key])
        if "known" in table:
            values["known"] = frozenset(str(v) for v in table["known"])
        if "required_before" in table:
            values["required_before"] = tuple((str(a), str(b)) for a, b in table["required_before"])
        for key in ("first_event_within", "max_gap", "run_within"):
            if key in table:
                values[key] = float(table[key])
        if "pairings" in table:
            values["pairings"] = tuple(
                Pairing(str(p["name"]), str(p["start"]), str(p["end"]), str(p["key"]),
                        p.get("fallback_key"), tuple(p.get("middle", ())), bool(p.get("allow_overlap", True)))
                for p in table["pairings"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"[tool.testcanon] 'events.profiles.{name}' is malformed: {exc}") from None
    return replace(base, **values)


def builtin(name: str, config: EventsConfig | None = None) -> Profile:
    if name == "agent-events":
        return agent_events(config)
    if name == "ag-ui":
        return ag_ui()
    raise ConfigError(f"unknown event profile '{name}' (built in: agent-events, ag-ui)")


def get_profile(name: str, config: EventsConfig | None = None) -> Profile:
    config = config or EventsConfig()
    if name in config.profiles:
        return user_profile(name, dict(config.profiles[name]), config)
    return builtin(name, config)
