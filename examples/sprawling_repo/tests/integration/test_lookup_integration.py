from test_framework.ssot_compat import CanonicalCompatBase

from chatapp.agents import AgentRunner


class TestLookupIntegration(CanonicalCompatBase):
    def test_limits_document(self):
        events = list(AgentRunner().run("u", "tool calls per message"))
        self.assertIn("four tool calls", events[-1]["answer"])
