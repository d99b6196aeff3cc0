from chatapp.agents import AgentRunner
from chatapp.store import ThreadStore
from test_framework.base_integration_test import BaseIntegrationTest


class TestThreadHistory(BaseIntegrationTest):
    def test_two_runs_two_run_ids(self):
        store = ThreadStore()
        for message in ("1 + 1", "2 + 2"):
            for event in AgentRunner().run("u", message):
                store.append("u", "t", event)
        run_ids = {m["run_id"] for m in store.messages("u", "t")}
        self.assertEqual(len(run_ids), 2)
