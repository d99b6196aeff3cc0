from chatapp.store import ThreadStore
from test_framework.base_integration_test import BaseIntegrationTest


class TestStoreIntegration(BaseIntegrationTest):
    def test_orchestrator_is_running(self):
        self.assertTrue(self.orchestrator.health("store"))

    def test_store_round_trip(self):
        store = ThreadStore()
        store.append("u", "t", {"text": "hello"})
        self.assertEqual(store.messages("u", "t")[0]["text"], "hello")
