"""History: the SQLite database of test runs and audits (`.testcanon/history.sqlite3`)."""

from testcanon.history.db import MIGRATIONS, connect, failure_message, history_path, session

__all__ = ["MIGRATIONS", "connect", "failure_message", "history_path", "session"]
