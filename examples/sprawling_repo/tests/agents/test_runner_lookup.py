from chatapp.agents import AgentRunner
from test_framework.base_test import BaseTestCase


class TestRunnerLookup(BaseTestCase):
    def test_unknown_question(self):
        events = list(AgentRunner().run("u", "weather tomorrow"))
        self.assertEqual(events[-1]["answer"], "I could not find that.")
