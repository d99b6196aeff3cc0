from ..helpers.events import event_types


def test_arithmetic_run_uses_the_calculator(runner):
    events = list(runner.run("u1", "what is 6 * 7?"))
    assert event_types(events) == ["agent_started", "agent_thinking", "tool_executing",
                                   "tool_completed", "agent_thinking", "agent_completed"]
    assert events[3]["result"] == 42


def test_every_event_carries_the_run_id(runner):
    events = list(runner.run("u1", "pro plan"))
    assert len({event["run_id"] for event in events}) == 1
