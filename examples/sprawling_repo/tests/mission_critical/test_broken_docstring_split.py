"""Mission critical: the answer must always arrive.

These tests guard the agent_completed event."""
"""SSOT migration: use SSotBaseTestCase."""
that every chat receives its final answer, even when a tool fails.
"""

from chatapp.agents import AgentRunner


def test_answer_arrives():
    events = list(AgentRunner().run("u", "3 + 4"))
    assert events[-1]["type"] == "agent_completed"


class TestAnswerText:
    def test_answer_mentions_result(self):
        events = list(AgentRunner().run("u", "3 + 4"))
        assert "7" in events[-1]["answer"]
