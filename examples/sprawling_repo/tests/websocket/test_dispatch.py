from chatapp.websocket import ConnectionManager


def test_dispatch_counts_connections():
    manager = ConnectionManager()
    manager.connect("u", "1", lambda e: None)
    assert manager.dispatch({"user_id": "u"}) == 1


def test_disconnect_unknown_connection_is_harmless():
    manager = ConnectionManager()
    manager.connect("u", "1", lambda e: None)
    manager.disconnect("u", "nope")
    assert manager.connected_users() == ["u"]
