"""Coverage by area: each configured area's line and branch coverage against its target."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from testcanon.config import Project
from testcanon.history import session
from testcanon.source import GlobSet


@dataclass(frozen=True)
class AreaCoverage:
    area: str
    files: int
    statements: int
    executed: int
    branches: int
    branches_taken: int
    target: float

    @property
    def line_percent(self) -> float | None:
        return 100.0 * self.executed / self.statements if self.statements else None

    @property
    def branch_percent(self) -> float | None:
        return 100.0 * self.branches_taken / self.branches if self.branches else None

    @property
    def meets_target(self) -> bool:
        return self.line_percent is not None and self.line_percent >= self.target

    def to_json(self) -> dict[str, object]:
        return {"area": self.area, "files": self.files, "line_percent": self.line_percent,
                "branch_percent": self.branch_percent, "target": self.target,
                "meets_target": self.meets_target}


def measure_areas(project: Project, data_file: Path) -> list[AreaCoverage]:
    import coverage

    cov = coverage.Coverage(data_file=str(data_file))
    cov.load()
    measured = {}
    for path in cov.get_data().measured_files():
        try:
            relpath = Path(path).resolve().relative_to(project.root.resolve()).as_posix()
        except ValueError:
            continue
        measured[relpath] = path
    results = []
    for area, config in sorted(project.config.areas.items()):
        globs = GlobSet(config.source)
        statements = executed = branches = taken = files = 0
        for relpath in sorted(_area_sources(project, globs)):
            files += 1
            if relpath in measured:
                analysis = cov._analyze(measured[relpath])  # noqa: SLF001 - the numbers API
                numbers = analysis.numbers
                statements += numbers.n_statements
                executed += numbers.n_executed
                branches += numbers.n_branches
                taken += numbers.n_branches - numbers.n_missing_branches
            else:
                statements += _statement_count(project.root / relpath)
        results.append(AreaCoverage(area, files, statements, executed, branches, taken, config.target))
    return results


def _area_sources(project: Project, globs: GlobSet) -> list[str]:
    from testcanon.source import discover

    return [f.relpath for f in discover(project) if globs.match(f.relpath)]


def _statement_count(path: Path) -> int:
    """Statements of a file no test imported: all of them count as missed."""
    from coverage.python import PythonParser

    try:
        parser = PythonParser(filename=str(path))
        parser.parse_source()
        return len(parser.statements)
    except Exception:  # noqa: BLE001 - an unparsable file contributes nothing measurable
        return 0


def record_areas(project: Project, data_file: Path, run_id: int) -> list[AreaCoverage]:
    if not data_file.exists() or not project.config.areas:
        return []
    areas = measure_areas(project, data_file)
    with session(project.root) as db:
        db.executemany(
            "INSERT OR REPLACE INTO coverage_areas (run_id, area, line_percent, branch_percent, target) "
            "VALUES (?, ?, ?, ?, ?)",
            [(run_id, a.area, a.line_percent, a.branch_percent, a.target) for a in areas])
    return areas
