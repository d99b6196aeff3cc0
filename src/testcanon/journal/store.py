"""The journal of a project: open runs, list them (every manifest checked), undo them."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from testcanon.errors import JournalError
from testcanon.journal.faults import fault
from testcanon.journal.lock import lock_identity, project_lock
from testcanon.journal.manifest import MAX_MANIFEST_BYTES, RUN_ID, BadJournal, BadRun, RunInfo, parse_manifest
from testcanon.journal.protocol import LIVE, MANIFEST, JournalRun


class Journal:
    """The journal of a project root: start runs, list them, undo them."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))
        self.directory = self.root / ".testcanon" / "journal"

    def start(self, command: str) -> JournalRun:
        """Open a run: take the project's lock (re-entrant), give it a unique id, write its
        manifest as "open" before anything else."""
        stack = ExitStack()
        try:
            stack.enter_context(project_lock(self.root, command))
            self._check_directory()
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime())
            suffix = 0
            latest = max((d.name for d in self.directory.iterdir() if RUN_ID.match(d.name)), default="")
            if latest[:15] >= stamp:  # same second, or the clock went back: ids still sort in run order
                stamp, suffix = latest[:15], int(latest[16:]) + 1
            while True:  # mkdir is the atomic claim of an id
                run_id = f"{stamp}-{suffix:03d}"
                try:
                    (self.directory / run_id).mkdir()
                    break
                except FileExistsError:
                    suffix += 1
            info = RunInfo(id=run_id, command=command, created=time.time(), status="open",
                           lock=lock_identity(self.root))
            run = JournalRun(self, info, stack)
            LIVE.add(str(run.directory))
            fault("run.dir")
            run._save()
            fault("run.open")
            return run
        except OSError as exc:
            stack.close()
            raise JournalError(f"cannot start a journal run in {self.directory}: "
                               f"{exc.strerror or exc}") from None
        except BaseException:
            stack.close()
            raise

    def _check_directory(self) -> None:
        for directory in (self.root / ".testcanon", self.directory):
            if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
                raise JournalError(f"{directory} is not a folder of this project; "
                                   "not writing a journal there")

    def scan(self) -> Iterator[RunInfo | BadRun]:
        """Every run directory, oldest first; a manifest that cannot be trusted as a BadRun."""
        if not self.directory.is_dir() or self.directory.is_symlink():
            return
        for directory in sorted(self.directory.iterdir()):  # ids sort in the order runs started
            if not directory.name.startswith(".") and directory.is_dir():
                yield read_run(directory)

    def runs(self) -> list[RunInfo]:
        """All readable runs with their entries, oldest first."""
        return [run for run in self.scan() if isinstance(run, RunInfo)]

    def undo(self, run_id: str | None = None, *, force: bool = False) -> RunInfo:
        """Restore every file of a run (default: the newest not yet undone) exactly."""
        from testcanon.journal.undo import undo

        return undo(self, run_id, force=force)


def read_run(directory: Path) -> RunInfo | BadRun:
    """A run directory's manifest, checked (see manifest.py), its open log replayed."""
    manifest = directory / MANIFEST
    try:
        if directory.is_symlink() or manifest.is_symlink():
            raise BadJournal("a symbolic link")
        if manifest.stat().st_size > MAX_MANIFEST_BYTES:
            raise BadJournal("the manifest is too large")
        run = parse_manifest(json.loads(manifest.read_bytes()), directory.name)
    except FileNotFoundError:
        return BadRun(directory.name, "no manifest.json")
    except (OSError, ValueError, RecursionError) as exc:
        return BadRun(directory.name, str(exc)[:200] if isinstance(exc, BadJournal) else
                      f"manifest.json is not readable JSON ({type(exc).__name__})")
    return run


def is_run_id(name: str) -> bool:
    return bool(RUN_ID.match(name))
