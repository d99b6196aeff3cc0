"""A platform's wire format, described as data: what becomes a canonical event and what does not.

A platform rarely sends only the canonical events: it sends control frames (a greeting, heartbeats),
older names for the same event (`agent_start` for `agent_started`), and batches of events in one
frame. The description says so in the profile's TOML file, next to the profile's own keys:

    ignore = ["connection_established", "heartbeat"]     # control frames, never validated
    [aliases]                                             # platform name -> canonical name
    agent_start = "agent_started"
    [batch.event_batch]                                   # a frame that carries other frames
    field = "events"                                      # a list, or an object of lists by type
    order_by = "timestamp"                                # restore order when grouped by type

Which fields carry run, thread, user and tool-call identity, and how runs interleave on one
connection (`run_key`), are the profile's keys (`run_field`, `thread_field`, `user_field`,
`pairings[].key`, `run_key`); any of those fields may be absent from a frame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from testcanon.errors import ConfigError


@dataclass(frozen=True)
class BatchedEvents:
    field: str
    order_by: str | None = None


@dataclass(frozen=True)
class Protocol:
    type_field: str = "type"
    aliases: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    batch: dict[str, BatchedEvents] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.type_field, tuple(self.aliases.items()), self.ignore, tuple(self.batch.items())))

    def frames(self, frame: Any) -> Iterator[dict[str, Any]]:
        """The canonical events one received frame carries: none, one, or a batch's, in order."""
        if not isinstance(frame, dict):
            return
        kind = frame.get(self.type_field)
        if kind in self.ignore:
            return
        batch = self.batch.get(kind)  # type: ignore[arg-type]
        if batch is not None:
            yield from self._unpack(frame, batch)
            return
        canonical = self.aliases.get(kind)  # type: ignore[arg-type]
        yield frame if canonical is None else {**frame, self.type_field: canonical}

    def _unpack(self, frame: dict[str, Any], batch: BatchedEvents) -> Iterator[dict[str, Any]]:
        inner = frame.get(batch.field)
        if isinstance(inner, dict):  # grouped by type: {"agent_thinking": [...], ...}
            items = [e for group in inner.values() if isinstance(group, list) for e in group]
        elif isinstance(inner, list):
            items = inner
        else:
            return
        if batch.order_by is not None:
            items = sorted(items,
                           key=lambda e: _moment(e.get(batch.order_by) if isinstance(e, dict) else None))
        for item in items:
            yield from self.frames(item)


def _moment(value: Any) -> float:
    """A sortable instant from a number (seconds or milliseconds) or an ISO string; unknown last."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) / (1000.0 if value > 1e11 else 1.0)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return float("inf")


def protocol_from_table(table: dict[str, Any], *, where: str) -> Protocol | None:
    """The wire-format part of a profile table; None when the table describes none."""
    if not any(key in table for key in ("aliases", "ignore", "batch")):
        return None
    try:
        aliases = {str(k): str(v) for k, v in dict(table.get("aliases", {})).items()}
        ignore = frozenset(str(v) for v in table.get("ignore", ()))
        batch = {}
        for kind, spec in dict(table.get("batch", {})).items():
            spec = {"field": spec} if isinstance(spec, str) else dict(spec)
            unknown = set(spec) - {"field", "order_by"}
            if unknown:
                raise ConfigError(f"{where}.batch.{kind}: '{sorted(unknown)[0]}' "
                                  "unknown key (field, order_by)")
            batch[str(kind)] = BatchedEvents(str(spec["field"]),
                                     str(spec["order_by"]) if spec.get("order_by") else None)
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"{where}: the wire format is malformed: {exc!r}") from None
    clash = set(aliases) & (ignore | set(batch))
    if clash:
        raise ConfigError(f"{where}: {sorted(clash)[0]!r} is both an alias and a control or batch frame")
    return Protocol(type_field=str(table.get("type_field", "type")), aliases=aliases, ignore=ignore,
                    batch=batch)
