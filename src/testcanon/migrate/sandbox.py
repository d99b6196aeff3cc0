"""The isolated copy of a project, ready to run or collect its tests in the target environment.

One place that sets up what every verification needs: the copy (`isolation.isolated_copy`,
never a link into the user's tree), testcanon's runtime library beside it when the target
lacks testcanon (`outcomes.prepare_runtime`), and the child environment that imports the
copy's modules, not the user's (`isolation.child_env`). Migrate's proof, `canon fix`'s proof
and resurrection verification write the changed file into the copy (`Sandbox.put`) and run
(`Sandbox.run`: outcomes, through the runner's one way of starting pytest) or collect
(`Sandbox.collect`) there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Set
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testcanon.config import Project
from testcanon.migrate import isolation, outcomes
from testcanon.migrate import verify as verifier
from testcanon.source import GlobSet
from testcanon.target import TargetPython


@dataclass(frozen=True)
class Sandbox:
    """An isolated copy of the project (`copy`), the target that runs its tests, and the
    environment and `-p` options a test process there gets."""

    copy: Path
    target: TargetPython
    env: dict[str, str]
    plugins: tuple[str, ...]
    stats: isolation.CopyStats

    def put(self, relpath: str, data: bytes) -> None:
        """Write `data` as the copy's file `relpath` (a new file, never through an old one)."""
        isolation.put(self.copy / relpath, data)

    def run(self, files: list[str], timeout: float) -> outcomes.TestRun:
        """Each test's outcome in `files` (relative paths), or why the run says nothing."""
        return outcomes.run_tests(self.target, self.copy, files, timeout, self.env, list(self.plugins))

    def collect(self, files: list[str], timeout: float, *, defaults: bool | None = None,
                batches: list[list[str]] | None = None) -> verifier.Collection:
        """The collected test ids of `files`, per file, and those that failed to collect;
        `batches`: the company each file was collected in before (`Collection.batches`)."""
        return verifier.collected_ids(self.copy, files, timeout, defaults=defaults, target=self.target,
                                      env=self.env, batches=batches)


@contextmanager
def sandbox(project: Project, target: TargetPython, imported: Set[str] = frozenset()) -> Iterator[Sandbox]:
    """An isolated copy of `project` for the life of the block, removed after it.

    `imported`: module names the code being verified imports (`isolation.imported_names`), so
    an excluded folder that is vendored code they need is copied too."""
    with tempfile.TemporaryDirectory(prefix="canon-verify-") as tmp:
        copy = Path(tmp) / "tree"
        stats = isolation.isolated_copy(project.root, copy, GlobSet(project.config.all_excludes), imported)
        runtime = Path(tmp) / "runtime"
        plugins = outcomes.prepare_runtime(runtime, has_testcanon=target.has_testcanon)
        yield Sandbox(copy, target, isolation.child_env(copy, [runtime]), tuple(plugins), stats)
