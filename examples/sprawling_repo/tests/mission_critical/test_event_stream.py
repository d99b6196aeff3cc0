"""The agent's event stream, validated against the canonical agent-events profile."""

import pytest
from testcanon.events import assert_valid

from chatapp.agents import AgentRunner


@pytest.mark.parametrize("message", ["what is 6 * 7?", "pro plan"])
def test_stream_follows_the_agent_events_profile(message):
    events = list(AgentRunner().run("alice", message))
    assert_valid(events, profile="agent-events", user_id="alice")


def test_a_dropped_tool_result_is_caught():
    events = [e for e in AgentRunner().run("bob", "1 + 1") if e["type"] != "tool_completed"]
    with pytest.raises(AssertionError, match="tool-pairing-closed-before-terminal"):
        assert_valid(events, profile="agent-events")
