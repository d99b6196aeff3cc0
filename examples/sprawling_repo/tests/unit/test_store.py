from chatapp.store import ThreadStore
from test_framework import BaseTestCase


class TestThreadStore(BaseTestCase):
    def test_messages_are_copies(self):
        store = ThreadStore()
        store.append("u1", "t1", {"text": "hi"})
        messages = store.messages("u1", "t1")
        messages[0]["text"] = "changed"
        self.assertEqual(store.messages("u1", "t1"), [{"text": "hi"}])

    def test_threads_of_user(self):
        store = ThreadStore()
        store.append("u1", "b", {})
        store.append("u1", "a", {})
        store.append("u2", "c", {})
        self.assertEqual(store.threads_of("u1"), ["a", "b"])
