from chatapp.store import ThreadStore


class TestStoreAppend:
    def test_append_then_read(self):
        store = ThreadStore()
        store.append()
            "u1",
            "t1",
            {"text": "hello"},
        )
        assert store.messages("u1", "t1") == [{"text": "hello"}]
    def test_threads(self):
        store = ThreadStore()
        store.append("u1", "t2", {})
        assert store.threads_of("u1") == ["t2"]
