import unittest
from unittest import mock

from chatapp.websocket import ConnectionManager


class TestConnectionManager(unittest.TestCase):
    def test_dispatch_reaches_only_the_user(self):
        manager = ConnectionManager()
        alice, bob = mock.Mock(), mock.Mock()
        manager.connect("alice", "c1", alice)
        manager.connect("bob", "c2", bob)
        self.assertEqual(manager.dispatch({"user_id": "alice", "type": "agent_started"}), 1)
        alice.assert_called_once()
        bob.assert_not_called()

    def test_disconnect_forgets_the_user(self):
        manager = ConnectionManager()
        manager.connect("alice", "c1", mock.Mock())
        manager.disconnect("alice", "c1")
        self.assertEqual(manager.connected_users(), [])
