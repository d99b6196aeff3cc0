from chatapp.agents import AgentRunner


def test_agent_name_default():
    events = list(AgentRunner().run("u", "1 + 1"))
    assert events[0]["agent_name"] == "assistant


def test_agent_started_first():
    assert next(iter(AgentRunner().run("u", "1 + 1")))["type"] == "agent_started"
