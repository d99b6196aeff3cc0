import unittest

from chatapp.agents import AgentRunner


class TestEventIds(unittest.TestCase):
    def test_tool_call_ids_pair(self):
        events = list(AgentRunner().run("u", "9 - 3"))
        started = [e["tool_call_id"] for e in events if e["type"] == "tool_executing"]
        completed = [e["tool_call_id"] for e in events if e["type"] == "tool_completed"]
        self.assertEqual(started, completed)

    def test_user_id_on_every_event(self):
        events = list(AgentRunner().run("zoe", "9 - 3"))
        self.assertTrue(all(e["user_id"] == "zoe" for e in events))
