"""Agent event streams: profiles, a streaming validator, real sessions, journeys and load.

    from testcanon.events import Validator, get_profile, assert_valid
"""

from testcanon.events.profiles import CRITICAL_EVENTS, Pairing, Profile, get_profile
from testcanon.events.report import EventStreamError, assert_valid
from testcanon.events.validator import Validator, Violation, validate

__all__ = ["CRITICAL_EVENTS", "EventStreamError", "Pairing", "Profile", "Validator", "Violation",
           "assert_valid", "get_profile", "validate"]
