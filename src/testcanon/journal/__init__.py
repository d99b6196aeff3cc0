"""The journal: atomic, backed-up, undoable writes to a user's files (`canon undo`)."""

from testcanon.journal.journal import Entry, Journal, JournalRun, RunInfo

__all__ = ["Entry", "Journal", "JournalRun", "RunInfo"]
