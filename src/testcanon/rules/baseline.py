"""The ratchet: today's findings recorded, so `canon check` and `canon scan` fail only on new ones.

Fingerprints key on rule, file and normalised offending text (never line numbers), so a
finding keeps its identity when code moves. The baseline is a multiset: two identical
findings in one file need two entries. It can only shrink unless growth is allowed.

The file lives where teams commit it (`testcanon-baseline.json` at the project root by
default, `[tool.testcanon.check] baseline`), and one file holds both `canon check`'s and
`canon scan`'s findings. Every command compares against, and rewrites, only the part of it
inside the `Scope` it looked at: `canon check tests/unit --update-baseline` or
`canon check --select CANON3` never drops the entries it did not check.

It also holds the test files pytest could not collect when it was written (code `COLLECT`,
keyed on the file's bytes): `canon run` leaves those out as known debt, so a legacy broken
file does not fail CI while a new one, or one edited since, does. Those entries belong to the
runner: `canon check` and `canon scan` never compare or rewrite them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from testcanon.config import Project
from testcanon.errors import CanonError
from testcanon.findings import Finding
from testcanon.state import atomic_write_bytes

FORMAT = 1
DEFAULT_PATH = "testcanon-baseline.json"
LEGACY_PATH = ".testcanon/baseline.json"  # git-ignored: where versions up to 0.1 wrote it

Entry = dict[str, str]

COLLECT = "COLLECT"  # a test file pytest could not collect when the baseline was written
RUNNER_CODES = frozenset({COLLECT})  # in a Scope only when its codes name them


@dataclass(frozen=True)
class Scope:
    """What one command looked at: entries outside it are neither compared nor rewritten.

    `codes` are the codes the command can report (None: all), `select`/`ignore` the prefixes
    it was asked for, `paths` the project-relative files or folders it was given (empty: the
    whole project)."""

    codes: frozenset[str] | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()

    def contains(self, entry: Entry) -> bool:
        code, path = entry["code"].upper(), entry["path"]
        if code in RUNNER_CODES and (self.codes is None or code not in self.codes):
            return False
        if self.codes is not None and code not in self.codes:
            return False
        if self.select and not any(p == "ALL" or code.startswith(p) for p in self.select):
            return False
        if any(p == "ALL" or code.startswith(p) for p in self.ignore):
            return False
        return not self.paths or any(p in ("", ".") or path == p or path.startswith(p.rstrip("/") + "/")
                                     for p in self.paths)

    @property
    def is_whole(self) -> bool:
        return self.codes is None and not self.select and not self.ignore and not self.paths


def scope_for(project: Project, paths: Sequence[Path | str] = (), *, codes: Iterable[str] | None = None,
              select: Sequence[str] | None = None, ignore: Sequence[str] | None = None) -> Scope:
    """The scope of a command given its path arguments (relative to the cwd, as typed)."""
    relative = []
    for raw in paths:
        resolved = Path(raw).resolve()
        try:
            relative.append(resolved.relative_to(project.root).as_posix())
        except ValueError:
            continue  # outside the project: it contributes no entries
    if paths and not relative:
        relative = ["\0outside"]  # nothing of the baseline is in scope
    return Scope(codes=frozenset(c.upper() for c in codes) if codes is not None else None,
                 select=tuple(s.upper() for s in select or ()), ignore=tuple(s.upper() for s in ignore or ()),
                 paths=tuple("" if r == "." else r for r in relative))


@dataclass(frozen=True)
class Comparison:
    new: list[Finding]
    unchanged: list[Finding]
    fixed: list[Entry]  # in-scope baseline entries no longer found

    @property
    def states(self) -> dict[str, str]:
        states = {f.fingerprint: "unchanged" for f in self.unchanged}
        states.update({f.fingerprint: "new" for f in self.new})
        return states


def baseline_path(project: Project) -> Path:
    return project.root / project.config.check.baseline


def _legacy_path(project: Project) -> Path | None:
    """`.testcanon/baseline.json` when the configured file is missing and that one is there."""
    if project.config.check.baseline == LEGACY_PATH or baseline_path(project).exists():
        return None
    legacy = project.root / LEGACY_PATH
    return legacy if legacy.is_file() else None


def load(project: Project) -> list[Entry] | None:
    path = baseline_path(project)
    legacy = _legacy_path(project)
    if legacy is not None:
        print(f"canon: reading the baseline from {LEGACY_PATH}, which git ignores; "
              f"`canon check --write-baseline` writes {project.config.check.baseline} to commit",
              file=sys.stderr)
        path = legacy
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {type(data).__name__}, not an object")
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        entries = list(data["findings"])
        for entry in entries:
            if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str)
                                                      for k in ("fingerprint", "code", "path")):
                raise ValueError("an entry lacks fingerprint, code or path")
        return entries
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise CanonError(f"{path}: not a testcanon baseline ({exc}); rewrite it with "
                         "`canon check --write-baseline`") from None


def save(project: Project, findings: Iterable[Finding | Entry], *, scope: Scope | None = None) -> int:
    """Write `findings` as the baseline for `scope`, keeping every stored entry outside it.
    Returns the number of entries in the file."""
    entries = [_entry(f) if isinstance(f, Finding) else f for f in findings]
    if scope is not None:  # a whole scope still keeps the runner's entries
        entries += [e for e in (load(project) or []) if not scope.contains(e)]
    atomic_write_bytes(baseline_path(project), render(entries))
    return len(entries)


def render(entries: list[Entry]) -> bytes:
    """The file's bytes: sorted, one entry per line group, so diffs in review stay small."""
    entries = sorted(entries, key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    document = {"format": FORMAT, "tool": "testcanon", "count": len(entries), "findings": entries}
    return (json.dumps(document, indent=1) + "\n").encode()


def current_entries(project: Project) -> list[Entry]:
    """Every current finding as a baseline entry (what `canon init` records). Scan codes are
    part of `canon check`'s findings, so this covers `canon scan` too."""
    from testcanon.rules.engine import check_project

    return [_entry(f) for f in check_project(project).findings]


def compare(findings: list[Finding], baseline: list[Entry], scope: Scope | None = None) -> Comparison:
    """Which findings are new; which in-scope entries are fixed. Entries outside `scope` are
    neither matched nor reported fixed."""
    if scope is not None:
        baseline = [e for e in baseline if scope.contains(e)]
    remaining = Counter(entry["fingerprint"] for entry in baseline)
    new, unchanged = [], []
    for finding in findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            unchanged.append(finding)
        else:
            new.append(finding)
    fixed = []
    for entry in baseline:
        if remaining[entry["fingerprint"]] > 0:
            remaining[entry["fingerprint"]] -= 1
            fixed.append(entry)
    return Comparison(new, unchanged, fixed)


def _entry(finding: Finding) -> Entry:
    return {"fingerprint": finding.fingerprint, "code": finding.code, "path": finding.path,
            "snippet": finding.snippet[:120] or finding.message[:120]}


COLLECT_SCOPE = Scope(codes=frozenset({COLLECT}))


def collection_entry(project: Project, path: str, cause: str) -> Entry | None:
    """The entry accepting `path` (project-relative) as uncollectable, keyed on its bytes."""
    digest = _file_digest(project.root, path)
    if digest is None:
        return None
    return {"fingerprint": digest, "code": COLLECT, "path": path, "snippet": cause.strip()[:120]}


def known_uncollectable(project: Project) -> dict[str, str]:
    """Test files the committed baseline accepts as uncollectable and that are byte for byte
    what was accepted: project-relative path -> why `canon run` leaves them out. An edited
    file is collected again (fixed, or a new failure)."""
    entries = [e for e in (load(project) or []) if e["code"].upper() == COLLECT]
    reason = f"known debt: uncollectable when {project.config.check.baseline} was written"
    return {e["path"]: reason for e in entries
            if _file_digest(project.root, e["path"]) == e["fingerprint"]}


def _file_digest(root: Path, path: str) -> str | None:
    try:
        data = (root / path).read_bytes()
    except OSError:
        return None
    return hashlib.sha256(f"{COLLECT}\0{path}\0".encode() + data).hexdigest()[:32]
