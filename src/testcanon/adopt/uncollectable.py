"""Which uncollectable test files `canon init` records in the baseline as known debt.

A file that does not compile is debt whatever the environment. A file whose import fails is
debt only when the code is at fault: the missing module is neither one the project declares
(its dependencies, extras, dependency groups, requirements files) nor one the repository
holds. Otherwise the environment init ran in is at fault (testcanon's own interpreter, a
half-built venv), CI's environment will have the module, and recording the file would leave
its tests out of every run for good; those files are named, not recorded.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from testcanon.config import Project
from testcanon.errors import CanonError

if TYPE_CHECKING:
    from testcanon.runner.collect import CollectionHealth

# "No module named 'a.b'", "cannot import name 'X' from 'a.b' (...)"
MODULE = re.compile(r"No module named '(?P<missing>[\w.]+)'|cannot import name \S+ from '(?P<source>[\w.]+)'")
BATCH_FAILURE = "pytest could not collect:"  # runner.collect's cause for a whole failed batch
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRAS = re.compile(r"\s*\[([^\]]*)\]")
# Distributions whose import name differs from their normalised name (the common ones).
ALIASES = {"pyyaml": "yaml", "pillow": "pil", "python_dateutil": "dateutil", "beautifulsoup4": "bs4",
           "scikit_learn": "sklearn", "opencv_python": "cv2", "pyjwt": "jwt", "msgpack_python": "msgpack",
           "protobuf": "google", "attrs": "attr", "typing_extensions": "typing_extensions"}


@dataclass(frozen=True)
class Uncollectable:
    entries: list[dict[str, str]]  # baseline entries (code COLLECT)
    environment: list[tuple[str, str]]  # (path, cause) failing for the environment: not recorded
    timed_out: int = 0
    skipped: str = ""  # why nothing was collected

    @property
    def note(self) -> str:
        if self.skipped:
            return f"no uncollectable test file recorded: {self.skipped}"
        note = f"{len(self.entries)} uncollectable test file(s)"
        if self.environment:
            note += (f"; {len(self.environment)} not recorded, failing for the environment (a module "
                     "the project declares or holds, or pytest itself failing)")
        if self.timed_out:
            note += f"; {self.timed_out} timed out, not recorded"
        return note


def uncollectable(project: Project) -> Uncollectable:
    """One `--collect-only` pass per batch, in subprocesses, in the project's interpreter."""
    from testcanon.runner.collect import collect_health
    from testcanon.target import resolve_python

    try:
        target = resolve_python(project.root, config=project.config.python)
        target.require_pytest()
        health = collect_health(project, target=target)
    except CanonError as exc:
        return Uncollectable([], [], skipped=str(exc))
    return from_health(project, health)


def from_health(project: Project, health: CollectionHealth) -> Uncollectable:
    """What of one collection pass is debt (recorded) and what the environment's (named)."""
    from testcanon.rules.baseline import collection_entry

    known = declared_modules(project.root)
    causes = {path: f"does not compile: {message}" for path, message in health.syntax}
    environment = []
    for error in health.errors:
        # a batch whose pytest did not finish its session (a conftest's internal error, a crash)
        # says nothing about any one file: never recorded
        if error.cause.startswith(BATCH_FAILURE) or is_environment(error.cause, known):
            environment.append((error.path, error.cause))
        else:
            causes.setdefault(error.path, error.cause)
    entries = [e for path, cause in sorted(causes.items())
               if (e := collection_entry(project, path, cause)) is not None]
    return Uncollectable(entries, sorted(environment), len(health.timed_out))


def is_environment(cause: str, known: set[str]) -> bool:
    """True when an import failure names a module the project declares or holds."""
    match = MODULE.search(cause)
    if match is None:
        return False
    module = match.group("missing") or match.group("source")
    return normalise(module.split(".")[0]) in known


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def declared_modules(root: Path) -> set[str]:
    """Normalised top-level names the project declares as requirements or holds itself."""
    names: set[str] = set()
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    project = data.get("project") or {}
    requirements: list[object] = list(project.get("dependencies") or [])
    for group in [*(project.get("optional-dependencies") or {}).values(),
                  *(data.get("dependency-groups") or {}).values()]:
        requirements += list(group) if isinstance(group, list) else []
    if isinstance(project.get("name"), str):
        requirements.append(project["name"])
    for path in [*root.glob("requirements*.txt"), *root.glob("requirements/**/*.txt"),
                 *root.glob("*requirements*.txt"), *root.glob("tests/requirements*.txt"), root / "setup.cfg"]:
        try:
            requirements += path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    for requirement in requirements:
        if isinstance(requirement, str) and not requirement.lstrip().startswith(("#", "-", "[")):
            match = _NAME.match(requirement)
            if match:
                name = normalise(match.group(1))
                names |= {name, ALIASES.get(name, name)}
                # `kombu[sqlalchemy]`: an extra is mostly named after what it pulls in (celery)
                extras = _EXTRAS.match(requirement[match.end():])
                names |= ({normalise(e.strip()) for e in extras.group(1).split(",") if e.strip()}
                          if extras else set())
    for base in (root, root / "src"):
        if base.is_dir():
            names |= {normalise(p.stem if p.suffix == ".py" else p.name) for p in base.iterdir()
                      if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    return names


def write_collection_baseline(project: Project, health: CollectionHealth, paths: list[str]) -> str:
    """Replace the baseline's COLLECT entries under `paths` by this pass's; the rest is kept."""
    from testcanon.rules import baseline as ratchet

    found = from_health(project, health)
    scope = ratchet.scope_for(project, paths, codes=[ratchet.COLLECT])
    ratchet.save(project, found.entries, scope=scope)
    return f"wrote {project.config.check.baseline}: {found.note}"
