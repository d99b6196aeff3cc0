from testcanon import SSotBaseTestCase

from chatapp.agents import AgentRunner


class TestAgentEndToEnd(SSotBaseTestCase):
    def test_five_critical_events_present(self):
        kinds = {event["type"] for event in AgentRunner().run("u", "7 - 2")}
        self.assertEqual(kinds, {"agent_started", "agent_thinking", "tool_executing",
                                 "tool_completed", "agent_completed"})
