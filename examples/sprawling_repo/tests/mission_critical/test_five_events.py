import pytest

from chatapp.agents import CRITICAL_EVENTS, AgentRunner


@pytest.mark.mission_critical
@pytest.mark.parametrize("message", ["1 + 1", "pro plan"])
def test_critical_events_in_order(message):
    kinds = [event["type"] for event in AgentRunner().run("u", message)]
    assert kinds[0] == "agent_started"
    assert kinds[-1] == "agent_completed"
    assert set(kinds) == set(CRITICAL_EVENTS)


def test_thinking_before_the_first_tool():
    kinds = [event["type"] for event in AgentRunner().run("u", "1 + 1")]
    assert kinds.index("agent_thinking") < kinds.index("tool_executing")
