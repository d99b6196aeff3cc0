from chatapp.agents import AgentRunner


def test_failing_tool_does_not_hang():
    runner = AgentRunner()
    try:
        events = list(runner.run("u", "1 / 0"))

    assert events is None


def test_normal_run():
    assert list(AgentRunner().run("u", "1 + 0"))[-1]["answer"] == "The answer is 1."
