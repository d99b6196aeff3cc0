"""Agent event streams: profiles, a streaming validator, real sessions, journeys and load.

    from testcanon.events import Validator, get_profile, assert_valid

Names are imported on first use (PEP 562), so the pytest plugin's fixtures module stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testcanon.events.profiles import CRITICAL_EVENTS, Pairing, Profile, get_profile
    from testcanon.events.report import EventStreamError, assert_valid
    from testcanon.events.validator import Validator, Violation, validate

_HOMES = {
    "CRITICAL_EVENTS": "profiles", "Pairing": "profiles", "Profile": "profiles", "get_profile": "profiles",
    "EventStreamError": "report", "assert_valid": "report",
    "Validator": "validator", "Violation": "validator", "validate": "validator",
}
__all__ = ["CRITICAL_EVENTS", "EventStreamError", "Pairing", "Profile", "Validator", "Violation",
           "assert_valid", "get_profile", "validate"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"testcanon.events.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'testcanon.events' has no attribute {name!r}")
