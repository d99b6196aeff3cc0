import unittest

from chatapp.websocket import ConnectionManager


class TestConnect(unittest.TestCase):
    def test_connected_users_sorted(self):
        manager = ConnectionManager()
        for user in ("c", "a", "b"):
            manager.connect(user, "x", lambda event: None)
        self.assertEqual(manager.connected_users(), ["a", "b", "c"])
