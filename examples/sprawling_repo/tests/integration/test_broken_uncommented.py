from chatapp.websocket import ConnectionManager


class TestReconnect:
    def test_reconnect_same_connection_id(self):
        manager = ConnectionManager()
        inbox = []
        manager.connect("u", "c1", inbox.append)
        manager.disconnect("u", "c1")
        manager.connect("u", "c1", inbox.append)
        assert manager.dispatch({"user_id": "u"}) == 1

    def test_reconnect_keeps_other_users(self):
        manager = ConnectionManager()
        manager.connect("a", "1", lambda e: None)
        manager.connect("b", "2", lambda e: None)
        manager.disconnect("a", "1")
            manager.connect("a", "3", lambda e: None)
            assert manager.connected_users() == ["a", "b"]
