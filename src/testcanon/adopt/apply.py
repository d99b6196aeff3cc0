"""`canon init` from start to end: infer, report the evidence, plan, then write or show diffs."""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from testcanon.adopt.infer import Inference, infer
from testcanon.adopt.plan import plan, plan_testing_doc
from testcanon.adopt.uncollectable import uncollectable
from testcanon.config import Config, Project
from testcanon.config.validate import build
from testcanon.journal import Journal, PlannedWrite

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitResult:
    inference: Inference
    changes: list[PlannedWrite]
    baseline: str  # what happened to the ratchet baseline
    not_written: tuple[str, ...] = ()  # "path: why" for files edited while init ran (kept as they are)
    journal: Path | None = None  # whose journal holds the run: the repository's in a monorepo


def run_init(project: Project, *, dry_run: bool, force: bool, shards: int = 4) -> InitResult:
    _log.info("reading the repository's evidence: test layout, markers, services, its own pytest commands")
    inference = infer(project)
    _log.info("finding the home-made test bases")
    inference.home_made_bases = _home_made_bases(project, [f"{g.value}/**" for g in inference.excludes])
    changes = plan(project, inference, shards=shards, force=force)
    configured = _project_after(project, changes)
    testing_doc = plan_testing_doc(configured, force=force)
    if testing_doc is not None:
        changes.append(testing_doc)
    if dry_run:
        return InitResult(inference, changes, "would be written (canon check --write-baseline)")
    # GitHub and pre-commit read their files only at the repository root. When the project is a
    # folder of a repository (a monorepo), the journal of this run is the repository's, so those
    # files are written, and undone, with the rest; nothing is ever written outside it.
    journal_root = journal_root_for(project, changes)
    outside = [c for c in changes if not c.path.resolve().is_relative_to(journal_root)]
    inside = [c for c in changes if c not in outside]
    with Journal(journal_root).start("canon init") as run:
        skipped = run.apply(inside)
        baseline = _write_baseline(configured, force, run)  # journalled too: `canon undo` removes it
    kept = {item.path for item in skipped}
    not_written = [f"{os.path.relpath(item.path, project.root)}: {item.reason}" for item in skipped]
    not_written += [f"{os.path.relpath(c.path, project.root)}: outside the project, which canon never writes "
                    f"beyond; `canon init --dry-run` shows it to copy there ({c.why})" for c in outside]
    return InitResult(inference, [c for c in inside if c.path not in kept], baseline, tuple(not_written),
                      journal=journal_root)


def journal_root_for(project: Project, changes: list[PlannedWrite]) -> Path:
    """The project root, or the root of the git repository the project is a folder of when a
    change lies there (the workflow, the pre-commit configuration)."""
    from testcanon.output.location import repository_root

    root = project.root.resolve()
    repository = repository_root(root)
    if repository != root and any(not c.path.resolve().is_relative_to(root)
                                  and c.path.resolve().is_relative_to(repository) for c in changes):
        return repository
    return root


def diff(change: PlannedWrite, root: Path) -> str:
    # named from the project's root: the workflow may sit above it (a monorepo's project)
    return change.diff(Path(os.path.relpath(change.path, root)).as_posix())


def _project_after(project: Project, changes: list[PlannedWrite]) -> Project:
    """The project as it will be configured once the pyproject change is applied."""
    pyproject = project.root / "pyproject.toml"
    for change in changes:
        if change.path == pyproject:
            table = tomllib.loads(change.after.decode()).get("tool", {}).get("testcanon", {})
            return replace(project, config=build(Config, table, where="", source=pyproject),
                           config_file=pyproject)
    return project


def _home_made_bases(project: Project, excludes: list[str]) -> list[tuple[str, str, int]]:
    """(base, site, test classes) as `canon check` will count them once the proposed excludes
    are in place: classes in backup copies must not inflate the numbers init reports."""
    from testcanon.rules import check_project

    config = replace(project.config, extend_exclude=[*project.config.extend_exclude, *excludes])
    result = check_project(replace(project, config=config))
    bases = [(base.qualified_name, base.site, base.test_classes) for base in result.home_made_bases]
    return sorted(bases, key=lambda b: -b[2])


def _write_baseline(project: Project, force: bool, run) -> str:
    from testcanon.rules import baseline as ratchet

    path = ratchet.baseline_path(project)
    if path.exists() and not force:
        return f"kept the existing {path.relative_to(project.root)}"
    _log.info("recording today's findings in the baseline (canon check)")
    entries = ratchet.current_entries(project)
    _log.info("recording the files pytest cannot collect today")
    found = uncollectable(project)
    run.write(path, ratchet.render(entries + found.entries))
    return f"wrote {path.relative_to(project.root)} ({len(entries)} findings, {found.note}); commit it"
