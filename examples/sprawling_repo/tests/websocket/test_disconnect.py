from test_framework.async_base import AsyncBaseTest

from chatapp.websocket import ConnectionManager


class TestDisconnect(AsyncBaseTest):
    async def test_last_connection_removes_user(self):
        manager = ConnectionManager()
        manager.connect("u", "1", lambda e: None)
        manager.disconnect("u", "1")
        self.assertEqual(manager.connected_users(), [])
