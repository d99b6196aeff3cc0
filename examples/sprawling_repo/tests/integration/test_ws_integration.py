from unittest.mock import patch

from chatapp.agents import AgentRunner
from chatapp.websocket import ConnectionManager


def test_run_is_streamed_to_the_user(service_orchestrator):
    manager = ConnectionManager()
    received = []
    manager.connect("alice", "c1", received.append)
    for event in AgentRunner().run("alice", "3 * 3"):
        manager.dispatch(event)
    assert [e["type"] for e in received][0] == "agent_started"
    assert service_orchestrator.health("agents")


def test_calculator_failure_is_reported(service_orchestrator):
    with patch("chatapp.agents.runner.calculate", side_effect=ZeroDivisionError):
        try:
            list(AgentRunner().run("alice", "1 / 0"))
        except ZeroDivisionError:
            pass
        else:
            raise AssertionError("expected the tool error to propagate")
