from unittest.mock import MagicMock

from chatapp.websocket import ConnectionManager


def test_two_connections_of_one_user_both_receive():
    manager = ConnectionManager()
    first, second = MagicMock(), MagicMock()
    manager.connect("u", "a", first)
    manager.connect("u", "b", second)
    assert manager.dispatch({"user_id": "u"}) == 2
    assert first.call_count == second.call_count == 1


def test_event_for_unknown_user_goes_nowhere():
    assert ConnectionManager().dispatch({"user_id": "ghost"}) == 0
