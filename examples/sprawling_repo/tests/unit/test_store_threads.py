import threading


def test_concurrent_appends(store):
    def writer(n):
        for i in range(100):
            store.append("u", "t", {"n": n, "i": i})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.messages("u", "t")) == 400


def test_unknown_thread_is_empty(store):
    assert store.messages("nobody", "none") == []
