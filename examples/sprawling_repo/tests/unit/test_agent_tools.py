from testcanon import SSotBaseTestCase

from chatapp.agents import AgentRunner


class TestAgentTools(SSotBaseTestCase):
    def test_lookup_tool_is_used_for_questions(self):
        events = list(AgentRunner().run("u1", "pro plan"))
        tools = [e["tool_name"] for e in events if e["type"] == "tool_executing"]
        self.assertEqual(tools, ["lookup"])

    def test_answer_comes_from_the_document(self):
        events = list(AgentRunner().run("u1", "pro plan"))
        self.assertIn("20 dollars", events[-1]["answer"])
