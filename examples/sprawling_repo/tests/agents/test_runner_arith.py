import pytest

from chatapp.agents import AgentRunner


@pytest.mark.parametrize(("message", "answer"), [("2 + 3", "The answer is 5."), ("12 / 4", "The answer is 3.")])
def test_arithmetic_answers(message, answer):
    assert list(AgentRunner().run("u", message))[-1]["answer"] == answer
