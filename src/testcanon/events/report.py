"""`assert_valid` and the readable report it fails with."""

from __future__ import annotations

import json
from typing import Any

from testcanon.events.coverage import RECORDER
from testcanon.events.profiles import Profile, get_profile
from testcanon.events.validator import Violation, validate


class EventStreamError(AssertionError):
    """The stream broke its profile's rules; the message lists each violation."""

    def __init__(self, violations: list[Violation], events: list[dict[str, Any]], profile: Profile) -> None:
        self.violations = violations
        super().__init__(render(violations, events, profile))


def render(violations: list[Violation], events: list[dict[str, Any]], profile: Profile) -> str:
    lines = [f"{len(violations)} violation(s) of profile '{profile.name}' in {len(events)} event(s):"]
    for violation in violations:
        lines.append(f"  {violation}")
        if violation.event is not None:
            shown = {k: v for k, v in violation.event.items() if not k.startswith("_")}
            lines.append(f"      {json.dumps(shown, default=str)[:200]}")
    kinds = [str(e.get(profile.type_field)) for e in events]
    lines.append("  stream: " + " -> ".join(kinds[:40]) + (" ..." if len(kinds) > 40 else ""))
    return "\n".join(lines)


def assert_valid(events: list[dict[str, Any]], profile: str | Profile = "agent-events", *,
                 user_id: str | None = None) -> list[dict[str, Any]]:
    """Validate a whole stream; raise EventStreamError with a readable report on any violation."""
    chosen = get_profile(profile) if isinstance(profile, str) else profile
    validator = validate(events, chosen, user_id=user_id)
    RECORDER.record(chosen, validator)
    if validator.violations:
        raise EventStreamError(validator.violations, events, chosen)
    return events
