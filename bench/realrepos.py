"""`canon run` against the project's own pytest on a real repository with its own venv.

    python bench/realrepos.py REPO --venv VENV [--name NAME] [PATH ...] [--timeout S] [--trials N]
                              [--pytest-arg ARG ...]

REPO is a checkout (never written to: it is cloned into a temporary directory first, its
tracked files only); VENV is the project's own environment (pytest and its test
requirements; testcanon is NOT installed there). In the copy, measured in the same run:

1. the project's own invocation, `VENV/bin/python -m pytest [PATH ...]`, N+1 times;
2. `canon run --python VENV --no-fail-fast [PATH ...]` from testcanon's own install, N times,
   each between two pytest runs (pytest, canon, pytest, canon, ..., pytest), so a load that
   drifts on a shared machine weighs on both sides. Tests that change outcome between
   pytest runs are flaky and not counted below.

`--pytest-arg ARG` (repeatable) goes to both sides (to canon after `--`): e.g. a `-W` filter a
checkout needs under a newer pytest.

Printed per repository: tests pytest ran, tests canon ran, missing (pytest ran them, canon
did not), extra, outcome differences outside flaky, and the wall-time ratio: each canon run
over the mean of the pytest runs either side of it, as the min and the median over the
trials. Targets: 0 missing, 0 extra, 0 differing, ratio <= 1.05.

Both sides start in a session of their own, as `canon run` starts its pytest: with Linux's
scheduler autogroups a new session gets its own share of a loaded machine's CPU, and a peer
left in the bench's session would be measured against an unfair advantage.

Outcomes come from pytest's own JUnit XML for pytest (passed, failed, error, skipped; an
xfail counts as skipped, an xpass as passed) and from canon's JSON, mapped the same way.
Migration on the same beds (migrate, the tests again, undo) is `bench/migrate_outcomes.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

CANON = [sys.executable, "-m", "testcanon"]
_CANON_TO_JUNIT = {"passed": "passed", "xpassed": "passed", "failed": "failed", "error": "error",
                   "collection_error": "error", "skipped": "skipped", "xfailed": "skipped"}


@dataclass
class Measured:
    name: str
    pytest_outcomes: list[dict[str, str]] = field(default_factory=list)
    pytest_seconds: list[float] = field(default_factory=list)
    canon_outcomes: dict[str, str] = field(default_factory=dict)
    canon_seconds: list[float] = field(default_factory=list)
    canon_exit: int = 0
    canon_failures: list[str] = field(default_factory=list)

    @property
    def flaky(self) -> set[str]:
        first, *others = self.pytest_outcomes
        return {n for other in others for n in set(first) | set(other) if first.get(n) != other.get(n)}

    @property
    def ratios(self) -> list[float]:
        """Each canon run over the mean of the pytest runs just before and just after it."""
        return [canon / ((self.pytest_seconds[i] + self.pytest_seconds[i + 1]) / 2)
                for i, canon in enumerate(self.canon_seconds)]

    def row(self) -> dict[str, object]:
        first = self.pytest_outcomes[0]
        missing = sorted(set(first) - set(self.canon_outcomes) - self.flaky)
        extra = sorted(set(self.canon_outcomes) - set(first) - self.flaky)
        differing = sorted(n for n in set(first) & set(self.canon_outcomes)
                           if n not in self.flaky and first[n] != self.canon_outcomes[n])
        mean = statistics.mean(self.pytest_seconds)
        ratios = self.ratios
        return {"repo": self.name, "pytest_tests": len(first), "canon_tests": len(self.canon_outcomes),
                "missing": len(missing), "extra": len(extra), "differing": len(differing),
                "flaky": len(self.flaky), "pytest_s": round(mean, 1),
                "canon_s": round(statistics.mean(self.canon_seconds), 1),
                "trials": len(ratios), "ratio_min": round(min(ratios), 3),
                "ratio_median": round(statistics.median(ratios), 3),
                "pytest_runs": [round(x, 2) for x in self.pytest_seconds],
                "canon_runs": [round(x, 2) for x in self.canon_seconds],
                "examples": {"missing": missing[:5], "extra": extra[:5], "differing": [
                    f"{n}: pytest {first[n]}, canon {self.canon_outcomes[n]}" for n in differing[:5]]},
                "canon_failures": self.canon_failures}


def junit_outcomes(path: Path) -> dict[str, str]:
    """Node id -> outcome from pytest's JUnit XML (classname + name back to a node id)."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
                break
        key = f"{case.get('classname', '')}::{case.get('name', '')}"
        if key in outcomes and outcome == "passed":
            continue  # a test's setup error and its own result share a name: keep the worse
        outcomes[key] = outcome
    return outcomes


def junit_key(nodeid: str) -> str:
    """A node id as JUnit XML names it: the file's module path dotted, classes kept, then the name."""
    file, _, rest = nodeid.partition("::")
    module = file[:-3] if file.endswith(".py") else file
    if not rest:  # a module skipped at collection: JUnit names it with an empty class
        return f"::{module.replace('/', '.')}"
    parts = rest.split("::")
    return f"{'.'.join([module.replace('/', '.'), *parts[:-1]])}::{parts[-1]}"


def run_pytest(copy: Path, venv: Path, paths: list[str], timeout: float,
               extra: list[str]) -> tuple[dict[str, str], float]:
    with tempfile.TemporaryDirectory(prefix="realrepos-junit-") as tmp:
        junit = Path(tmp) / "junit.xml"
        started = time.perf_counter()
        done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", f"--junitxml={junit}",
                               *paths, *extra],
                              cwd=copy, capture_output=True, text=True, timeout=timeout,
                              start_new_session=True)
        seconds = time.perf_counter() - started
        if not junit.exists():
            raise SystemExit(f"pytest wrote no report (exit {done.returncode}):\n{done.stdout[-2000:]}")
        return junit_outcomes(junit), seconds


def run_canon(copy: Path, venv: Path, paths: list[str], timeout: float,
              extra: list[str], options: list[str]) -> tuple[dict[str, str], float, int, list[str]]:
    out = copy.parent / "canon-run.json"
    started = time.perf_counter()
    done = subprocess.run([*CANON, "run", "--python", str(venv), "--no-fail-fast", "--json", str(out),
                           *options,
                           *paths,
                           *(["--", *extra] if extra else [])],
                          cwd=copy, capture_output=True, text=True, timeout=timeout, start_new_session=True)
    seconds = time.perf_counter() - started
    if not out.exists():
        raise SystemExit("canon run wrote no JSON (exit "
                         f"{done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    document = json.loads(out.read_text())
    outcomes = {junit_key(t["nodeid"]): _CANON_TO_JUNIT.get(t["outcome"], t["outcome"])
                for t in document["tests"]}
    return outcomes, seconds, done.returncode, [f["reason"] for f in document.get("failures", [])]


def measure(repo: Path, venv: Path, name: str, paths: list[str], timeout: float, trials: int = 1,
            extra: list[str] | None = None, canon_options: list[str] | None = None) -> Measured:
    measured = Measured(name)
    extra = extra or []
    with tempfile.TemporaryDirectory(prefix=f"realrepos-{name}-") as tmp:
        copy = Path(tmp) / name
        subprocess.run(["git", "clone", "-q", str(repo), str(copy)], check=True)
        # pytest, canon, pytest, canon, ..., pytest: a load that drifts weighs on both sides
        for turn in ["pytest", "canon"] * trials + ["pytest"]:
            if turn == "canon":
                (measured.canon_outcomes, seconds, measured.canon_exit,
                 measured.canon_failures) = run_canon(copy, venv, paths, timeout, extra, canon_options or [])
                measured.canon_seconds.append(seconds)
                continue
            outcomes, seconds = run_pytest(copy, venv, paths, timeout, extra)
            measured.pytest_outcomes.append(outcomes)
            measured.pytest_seconds.append(seconds)
    return measured


COLUMNS = ("repo", "pytest_tests", "canon_tests", "missing", "extra", "differing", "flaky", "pytest_s",
           "canon_s", "trials", "ratio_min", "ratio_median")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("paths", nargs="*", help="test paths (the subset), as pytest takes them")
    parser.add_argument("--venv", type=Path, required=True, help="the project's own virtual environment")
    parser.add_argument("--name", default=None)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--json", type=Path, default=None, help="also write the row (and examples) here")
    parser.add_argument("--trials", type=int, default=1, help="canon runs, each between two pytest runs")
    parser.add_argument("--pytest-arg", action="append", default=[], metavar="ARG",
                        help="an argument for pytest on both sides (repeatable)")
    parser.add_argument("--canon-arg", action="append", default=[], metavar="ARG",
                        help="an option of `canon run` itself (repeatable), e.g. --canon-arg=--serial to "
                             "measure its overhead where it runs as pytest does")
    args = parser.parse_args()
    row = measure(args.repo.resolve(), args.venv.resolve(), args.name or args.repo.resolve().name, args.paths,
                  args.timeout, max(1, args.trials), args.pytest_arg, args.canon_arg).row()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    print("| " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    for label, names in row["examples"].items():  # type: ignore[union-attr]
        for example in names:
            print(f"  {label}: {example}")
    for failure in row["canon_failures"]:  # type: ignore[union-attr]
        print(f"  canon failure: {failure}")
    if args.json:
        args.json.write_text(json.dumps(row, indent=1))
    print(f"  pytest runs (s): {row['pytest_runs']}; canon runs (s): {row['canon_runs']}")
    ok = row["missing"] == row["extra"] == row["differing"] == 0 and row["ratio_median"] <= 1.05
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
