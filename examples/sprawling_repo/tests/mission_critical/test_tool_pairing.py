from chatapp.agents import AgentRunner


def test_every_tool_execution_completes_before_the_end():
    events = list(AgentRunner().run("u", "8 * 8"))
    open_calls = set()
    for event in events:
        if event["type"] == "tool_executing":
            open_calls.add(event["tool_call_id"])
        elif event["type"] == "tool_completed":
            open_calls.remove(event["tool_call_id"])
        elif event["type"] == "agent_completed":
            assert not open_calls
