from chatapp.agents import AgentRunner


def test_event_summary():
    event = list(AgentRunner().run("u", "2 + 5"))[-1]
    summary = f"{event["type"]}: {event["answer"]}"
    assert summary == "agent_completed: The answer is 7."


def test_summary_of_start():
    event = next(iter(AgentRunner().run("u", "2 + 5")))
    assert event["type"] == "agent_started"
