from chatapp.websocket import ConnectionManager


def test_no_users_initially()
    assert ConnectionManager().connected_users() == []


def test_connect_adds_user():
    manager = ConnectionManager()
    manager.connect("u", "1", lambda e: None)
    assert manager.connected_users() == ["u"]
