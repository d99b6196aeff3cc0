"""The journal: every write testcanon makes to a user's file, atomic, locked and undoable.

`planned` (`PlannedWrite`: the one form in which a command plans a write), `lock` (one writer
per project), `protocol` (intent, backup, atomic replace, compare-and-swap), `store` (the runs
of a project), `recovery` (completing interrupted runs), `manifest` (the records, read as
untrusted input), `undo`, `fsio` (the file operations) and `faults` (the kill points tests and
benches use).
"""

from testcanon.journal.lock import LockBusy, project_lock
from testcanon.journal.manifest import BadRun, Entry, RunInfo
from testcanon.journal.planned import PlannedWrite
from testcanon.journal.protocol import ANY, JournalRun, Skipped
from testcanon.journal.store import Journal

__all__ = ["ANY", "BadRun", "Entry", "Journal", "JournalRun", "LockBusy", "PlannedWrite", "RunInfo",
           "Skipped", "project_lock"]
