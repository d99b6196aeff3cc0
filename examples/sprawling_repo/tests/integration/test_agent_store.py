from unittest import mock

from chatapp.agents import AgentRunner
from chatapp.store import ThreadStore
from test_framework import BaseIntegrationTest


class TestAgentStore(BaseIntegrationTest):
    def test_events_are_stored(self):
        store = ThreadStore()
        for event in AgentRunner().run("u", "2 + 2"):
            store.append("u", "t", event)
        self.assertEqual(len(store.messages("u", "t")), 6)

    def test_store_failure_is_surfaced(self):
        store = mock.Mock(spec=ThreadStore)
        store.append.side_effect = RuntimeError("disk full")
        with self.assertRaises(RuntimeError):
            store.append("u", "t", {})
