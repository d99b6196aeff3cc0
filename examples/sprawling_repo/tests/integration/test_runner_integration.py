from test_framework.async_base import AsyncBaseTest

from chatapp.agents import AgentRunner


class TestRunnerIntegration(AsyncBaseTest):
    async def test_run_finishes_with_answer(self):
        events = list(AgentRunner().run("u", "10 / 4"))
        self.assertEqual(events[-1]["type"], "agent_completed")
        self.assertEqual(events[-1]["answer"], "The answer is 2.5.")
