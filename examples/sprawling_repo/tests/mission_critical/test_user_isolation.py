from chatapp.websocket import ConnectionManager
from test_framework.base_test import BaseTestCase


class TestUserIsolation(BaseTestCase):
    def test_event_goes_to_its_user_only(self):
        manager = ConnectionManager()
        inbox_a, inbox_b = [], []
        manager.connect("a", "1", inbox_a.append)
        manager.connect("b", "2", inbox_b.append)
        manager.dispatch({"user_id": "a", "type": "agent_started"})
        self.assertEqual((len(inbox_a), len(inbox_b)), (1, 0))
