"""Runner: the one way to run tests (`canon run`, `collect`, `shards`, `perf`, `coverage`)."""
