"""The GitHub workflow `canon init` writes, built from what the repository says about itself.

It has to be green on its first run: it gates on new findings only (scan and check both read
the committed baseline), installs a pinned testcanon and the project's own test requirements,
tests on the Pythons `requires-python` allows, and uploads SARIF with the one write permission
that needs. Sharding stays trustworthy: every shard of a pull request restores the same
durations (saved only by the full run on the default branch), so all shards plan the same split.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from testcanon.__about__ import __version__
from testcanon.adopt.ci_services import services_yaml
from testcanon.config import Service

# CPython releases a new workflow can test on; testcanon itself needs 3.11+.
CANDIDATE_PYTHONS = ("3.11", "3.12", "3.13", "3.14")
TEST_EXTRAS = ("test", "tests", "testing", "dev")
REQUIREMENT_FILES = ("requirements/test.txt", "requirements/tests.txt", "requirements-test.txt",
                     "requirements-tests.txt", "test-requirements.txt", "requirements_test.txt",
                     "requirements/dev.txt", "requirements-dev.txt", "requirements_dev.txt",
                     "tests/requirements.txt", "requirements.txt")


@dataclass(frozen=True)
class WorkflowPlan:
    pythons: list[str]
    python_evidence: str
    install: str  # the pip arguments that install the project's test requirements
    install_evidence: str
    shards: int
    services: str = ""  # the test jobs' `services:` block (`ci_services.services_yaml`)


def _pyproject(root: Path) -> dict:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def pythons(root: Path) -> tuple[list[str], str]:
    """The CPython versions that `requires-python` and testcanon both allow."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    spec = (_pyproject(root).get("project") or {}).get("requires-python")
    if not isinstance(spec, str):
        spec = _setup_python_requires(root)
    if not isinstance(spec, str):
        return [CANDIDATE_PYTHONS[-1]], "no requires-python: the newest CPython"
    try:
        allowed = SpecifierSet(spec)
    except InvalidSpecifier:
        return ([CANDIDATE_PYTHONS[-1]],
                f"requires-python {spec!r} is not a valid specifier: the newest CPython")
    chosen = [v for v in CANDIDATE_PYTHONS if allowed.contains(f"{v}.0", prereleases=True)]
    if not chosen:
        return ([CANDIDATE_PYTHONS[-1]],
                f"requires-python {spec} allows none of {', '.join(CANDIDATE_PYTHONS)}")
    return chosen, f"requires-python {spec} (testcanon needs 3.11+)"


def _setup_python_requires(root: Path) -> str | None:
    """`python_requires` of setup.cfg or a literal one in setup.py (celery), read as text."""
    import re

    for name in ("setup.cfg", "setup.py"):
        try:
            text = (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = re.search(r"""python_requires\s*=\s*['"]?([^'"\n]+)""", text)
        if match:
            return match.group(1).strip()
    return None


def test_install(root: Path) -> tuple[str, str]:
    """pip arguments for the project and its test requirements, and where they were found."""
    project = _pyproject(root)
    extras = (project.get("project") or {}).get("optional-dependencies") or {}
    for name in TEST_EXTRAS:
        if name in extras:
            return f'-e ".[{name}]"', f"pyproject.toml [project.optional-dependencies] {name}"
    groups = project.get("dependency-groups") or {}
    editable = "-e . " if "project" in project or (root / "setup.py").exists() else ""
    for name in TEST_EXTRAS:
        if name in groups:
            return f"{editable}--group {name}", f"pyproject.toml [dependency-groups] {name} (pip 25.1+)"
    for relpath in REQUIREMENT_FILES:
        if (root / relpath).is_file():
            return f"{editable}-r {relpath}", relpath
    if editable:
        return editable.strip(), "the project itself (no test extra, group or requirements file found)"
    return "pytest", "no project metadata or requirements file: pytest only"


def plan_workflow(root: Path, shards: int, services: dict[str, Service] | None = None) -> WorkflowPlan:
    versions, python_evidence = pythons(root)
    install, install_evidence = test_install(root)
    return WorkflowPlan(versions, python_evidence, install, install_evidence, shards,
                        services_yaml(services or {}))


def workflow_yaml(plan: WorkflowPlan, *, working_directory: str = "") -> str:
    pin = f'"testcanon[cli]=={__version__}"'
    newest = plan.pythons[-1]
    versions = ", ".join(f'"{v}"' for v in plan.pythons)
    shard_list = ", ".join(str(i) for i in range(1, plan.shards + 1))
    defaults = (f"\ndefaults:\n  run:\n    working-directory: {working_directory}\n"
                if working_directory else "")
    prefix = f"{working_directory}/" if working_directory else ""
    checkout = """\
      - uses: actions/checkout@v4
        with:
          persist-credentials: false"""
    # the test and shard jobs prepare alike: the Python, the requirements, earlier durations
    prepare = f"""\
{checkout}
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ matrix.python }}}}
      - run: python -m pip install {pin} {plan.install}
      - uses: actions/cache/restore@v4  # earlier durations: canon perf compares against them
        with:
          path: {prefix}.testcanon/history.sqlite3
          key: testcanon-durations-${{{{ matrix.python }}}}-
          restore-keys: testcanon-durations-${{{{ matrix.python }}}}-"""
    return f"""\
# Written by `canon init`. The single way this repository's tests are checked and run.
# Pythons: {plan.python_evidence}. Test requirements: {plan.install_evidence}.
name: testcanon

on:
  push:
    branches: [main]
  pull_request:

permissions: {{}}
{defaults}
jobs:
  check:
    name: SSOT rules and broken files (new findings only)
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write  # upload the SARIF to code scanning
    steps:
{checkout}
      - uses: actions/setup-python@v5
        with:
          python-version: "{newest}"
      - run: python -m pip install {pin}
      # both compare against the committed testcanon-baseline.json: only new findings fail
      - run: canon scan --format github
      - run: canon check --format github
      - name: SARIF for code scanning
        if: ${{{{ !cancelled() }}}}
        run: |
          canon scan --format sarif --output canon-scan.sarif --exit-zero
          canon check --format sarif --output canon-check.sarif --exit-zero
      - uses: github/codeql-action/upload-sarif@v3
        if: ${{{{ !cancelled() }}}}
        with:
          sarif_file: {prefix}canon-scan.sarif
      - uses: github/codeql-action/upload-sarif@v3
        if: ${{{{ !cancelled() }}}}
        with:
          sarif_file: {prefix}canon-check.sarif

  # The default branch runs the whole suite once per Python and saves the test durations;
  # pull requests restore them (never save), so every shard plans the same split.
  test:
    name: tests (Python ${{{{ matrix.python }}}})
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    permissions:
      contents: read
    strategy:
      fail-fast: false
      matrix:
        python: [{versions}]
{plan.services}    steps:
{prepare}
      - run: canon run --no-fail-fast --junit-xml junit.xml
      - uses: actions/cache/save@v4
        if: ${{{{ !cancelled() }}}}
        with:
          path: {prefix}.testcanon/history.sqlite3
          key: testcanon-durations-${{{{ matrix.python }}}}-${{{{ github.run_id }}}}

  shard:
    name: tests (Python ${{{{ matrix.python }}}}, shard ${{{{ matrix.shard }}}}/{plan.shards})
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
    strategy:
      fail-fast: false
      matrix:
        python: [{versions}]
        shard: [{shard_list}]
{plan.services}    steps:
{prepare}
      - run: canon run --no-fail-fast --shard ${{{{ matrix.shard }}}}/{plan.shards} --junit-xml junit.xml

  audit:
    name: success metrics
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
{checkout}
      - uses: actions/setup-python@v5
        with:
          python-version: "{newest}"
      - run: python -m pip install {pin}
      - run: canon audit --format markdown >> "$GITHUB_STEP_SUMMARY"
"""
