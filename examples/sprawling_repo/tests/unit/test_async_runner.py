from test_framework.async_base import AsyncBaseTest

from chatapp.agents import AgentRunner


async def agen(items):
    for item in items:
        yield item


class TestAsyncRunner(AsyncBaseTest):
    async def test_collect_runs_the_agent(self):
        events = await self.collect(agen(AgentRunner().run("u", "1 + 1")))
        self.assertEqual(events[-1]["answer"], "The answer is 2.")
