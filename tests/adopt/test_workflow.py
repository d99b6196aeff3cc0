"""The workflow `canon init` writes: valid for GitHub, clean for zizmor, built from the project's
own evidence, and every `canon` step of it run in a fresh clone of an adopted copy of the example."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from canon_support import EXAMPLE, run_canon, write_tree
from testcanon.__about__ import __version__
from testcanon.adopt import workflow as generated

BIN = Path(sys.executable).parent
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
# Pinning actions to commit SHAs is left to the team (the issue makes it optional); every
# other zizmor audit runs with its defaults.
ZIZMOR_CONFIG = 'rules:\n  unpinned-uses:\n    config:\n      policies:\n        "*": ref-pin\n'


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone of a git copy of the example after `canon init --shards 2` was committed."""
    base = tmp_path_factory.mktemp("adopted")
    origin = Path(shutil.copytree(EXAMPLE, base / "origin", ignore=shutil.ignore_patterns(".testcanon")))
    _git(origin, "init", "-q", "-b", "main")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "before testcanon")
    result = run_canon("init", "--shards", "2", cwd=origin)
    assert result.returncode == 0, result.stderr
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "adopt testcanon")
    subprocess.run(["git", "clone", "-q", str(origin), str(base / "clone")], check=True)
    return base / "clone"


def _workflow(root: Path) -> dict:
    return yaml.safe_load((root / ".github" / "workflows" / "testcanon.yml").read_text())


def _canon_steps(workflow: dict) -> dict[str, list[str]]:
    """job -> every `canon ...` command line of its run steps, in order."""
    steps: dict[str, list[str]] = {}
    for name, job in workflow["jobs"].items():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                if line.strip().startswith("canon "):
                    steps.setdefault(name, []).append(line.strip())
    return steps


def test_workflow_passes_githubs_schema_and_zizmor(adopted: Path, tmp_path: Path) -> None:
    path = adopted / ".github" / "workflows" / "testcanon.yml"
    schema = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", str(path)], capture_output=True, text=True)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    zizmor = BIN / "zizmor"
    if not zizmor.exists():
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    config = tmp_path / "zizmor.yml"
    config.write_text(ZIZMOR_CONFIG)
    audit = subprocess.run([str(zizmor), "--offline", "--no-progress", "--config", str(config), str(path)],
                           capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_workflow_is_pinned_minimal_and_gates_on_the_baseline(adopted: Path) -> None:
    workflow = _workflow(adopted)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        expected = ({"contents": "read", "security-events": "write"} if name == "check"
                    else {"contents": "read"})
        assert job["permissions"] == expected, name
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["persist-credentials"] is False
        installs = [s["run"] for s in job["steps"] if "pip install" in s.get("run", "")]
        assert installs and all(f'"testcanon[cli]=={__version__}"' in run for run in installs)
    uploads = [s["with"]["sarif_file"] for s in workflow["jobs"]["check"]["steps"]
               if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert uploads == ["canon-scan.sarif", "canon-check.sarif"]
    # the example declares requires-python >=3.11 and no test extra
    assert workflow["jobs"]["shard"]["strategy"]["matrix"] == {"python": ["3.11", "3.12", "3.13", "3.14"],
                                                              "shard": [1, 2]}
    # pull requests only restore the durations the default branch saved: all shards plan alike
    shard_uses = [s.get("uses", "") for s in workflow["jobs"]["shard"]["steps"]]
    assert any(u.startswith("actions/cache/restore@") for u in shard_uses)
    assert not any(u.startswith(("actions/cache@", "actions/cache/save@")) for u in shard_uses)
    saved = next(s for s in workflow["jobs"]["test"]["steps"]
                 if s.get("uses", "").startswith("actions/cache/save@"))
    assert saved["with"]["path"] == ".testcanon/history.sqlite3"


def _run_step(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # `canon` is this interpreter's entry point, as `pip install testcanon` puts it on PATH
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})


def _cases(junit: Path) -> list[tuple[str, str, bool]]:
    """(classname, name, is a collection error) of every testcase."""
    root = ET.parse(junit).getroot()
    return [(case.get("classname", ""), case.get("name", ""), case.find("error") is not None
             and not case.get("classname"))
            for case in root.iter("testcase")]


@pytest.mark.slow
def test_every_canon_step_runs_in_a_fresh_clone(adopted: Path, tmp_path: Path) -> None:
    steps = _canon_steps(_workflow(adopted))
    assert set(steps) == {"check", "test", "shard", "audit"}
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "CI": "true"}
    for job in ("check", "audit"):
        for command in steps[job]:
            result = _run_step(command, adopted, env)
            assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
    assert (adopted / "canon-scan.sarif").stat().st_size and (adopted / "canon-check.sarif").stat().st_size
    assert summary.read_text().strip()

    # The test steps: the full run of the default branch, then each shard of a pull request.
    # The example has 16 files pytest cannot collect (14 that do not compile, 2 importing a
    # module that is gone): init recorded them in the baseline, so they are known debt, left
    # out and named; every step exits 0 and the shards together run exactly the full set.
    (full,) = steps["test"]
    result = _run_step(full, adopted, env)
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])
    assert "16 known debt: uncollectable when testcanon-baseline.json was written" in \
        " ".join(result.stdout.split())
    everything = _cases(adopted / "junit.xml")
    assert not any(error for _c, _n, error in everything)
    passed = {(c, n) for c, n, _e in everything if c}
    assert len(passed) > 50
    # what actions/cache/restore gives every shard: the durations the default branch saved
    history = adopted / ".testcanon" / "history.sqlite3"
    saved = history.read_bytes()
    sharded: list[tuple[str, str]] = []
    for shard in (1, 2):
        history.write_bytes(saved)  # each shard is a fresh runner with the same restored cache
        (command,) = steps["shard"]
        command = command.replace("${{ matrix.shard }}", str(shard))
        words = shlex.split(command)
        assert words[:2] == ["canon", "run"] and f"{shard}/2" in words
        result = _run_step(command, adopted, env)
        assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])
        sharded += [(c, n) for c, n, _e in _cases(adopted / "junit.xml") if c]
    assert sorted(sharded) == sorted(passed)  # a partition: nothing twice, nothing lost


@pytest.mark.parametrize(("spec", "expected"), [
    (">=3.11", ["3.11", "3.12", "3.13", "3.14"]),
    (">=3.9", ["3.11", "3.12", "3.13", "3.14"]),  # testcanon needs 3.11+
    (">=3.12,<3.14", ["3.12", "3.13"]),
    ("~=3.13.0", ["3.13"]),
])
def test_pythons_follow_requires_python(tmp_path: Path, spec: str, expected: list[str]) -> None:
    write_tree(tmp_path, {"pyproject.toml": f"[project]\nname = 'p'\nrequires-python = '{spec}'\n"})
    assert generated.pythons(tmp_path)[0] == expected


@pytest.mark.parametrize(("name", "text"), [
    ("setup.py", "setup(\n    python_requires=\">=3.12\",\n)\n"),  # celery's way
    ("setup.cfg", "[options]\npython_requires = >=3.12\n"),
])
def test_pythons_from_setup_files(tmp_path: Path, name: str, text: str) -> None:
    write_tree(tmp_path, {name: text})
    assert generated.pythons(tmp_path)[0] == ["3.12", "3.13", "3.14"]


@pytest.mark.parametrize(("files", "expected"), [
    ({"pyproject.toml": "[project]\nname='p'\n[project.optional-dependencies]\ntests = ['pytest']\n"},
     '-e ".[tests]"'),
    ({"pyproject.toml": "[project]\nname='p'\n[dependency-groups]\ntest = ['pytest']\n"},
     "-e . --group test"),
    ({"setup.py": "", "requirements/test.txt": "pytest\n"}, "-e . -r requirements/test.txt"),
    ({"pyproject.toml": "[project]\nname='p'\n"}, "-e ."),
    ({}, "pytest"),
])
def test_test_requirements_come_from_the_project(tmp_path: Path, files: dict, expected: str) -> None:
    write_tree(tmp_path, files)
    assert generated.test_install(tmp_path)[0] == expected


@pytest.mark.slow
def test_a_monorepo_project_gets_its_workflow_and_hooks_at_the_repository_root(tmp_path: Path) -> None:
    """GitHub and pre-commit read their files only at the repository root, above the project:
    init journals that run at the repository root, so it writes them there and `canon undo`
    from the project takes everything back; the workflow runs in the project's folder."""
    repo = write_tree(tmp_path / "mono", {
        ".gitignore": "__pycache__/\n",  # as every repository has: collecting writes bytecode
        "svc/pyproject.toml": "[project]\nname = 'svc'\nrequires-python = '>=3.12'\n",
        "svc/tests/test_a.py": "def test_a():\n    pass\n",
        "svc/tests/test_old.py": "def test_old(:\n",
        "web/package.json": "{}\n",
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n"
                                   "    hooks:\n      - id: black\n",
    })
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "before")
    done = run_canon("init", cwd=repo / "svc")
    assert done.returncode == 0, done.stderr
    assert "wrote ../.github/workflows/testcanon.yml" in done.stdout and "not written" not in done.stdout
    workflow = _workflow(repo)
    assert workflow["defaults"]["run"]["working-directory"] == "svc"
    assert workflow["jobs"]["shard"]["strategy"]["matrix"]["python"] == ["3.12", "3.13", "3.14"]
    uploads = [s["with"]["sarif_file"] for s in workflow["jobs"]["check"]["steps"]
               if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert uploads == ["svc/canon-scan.sarif", "svc/canon-check.sarif"]
    hooks = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"]
    assert hooks[0]["hooks"] == [{"id": "black"}]  # the team's own entry untouched
    assert hooks[1]["hooks"] == [{"id": "canon-check", "files": "^svc/"},
                                 {"id": "canon-scan", "files": "^svc/"}]
    assert not (repo / "svc" / ".github").exists() and not (repo / "svc" / ".pre-commit-config.yaml").exists()
    schema = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows",
                             str(repo / ".github" / "workflows" / "testcanon.yml")],
                            capture_output=True, text=True)
    assert schema.returncode == 0, schema.stdout + schema.stderr

    # committed and cloned: every canon step runs in the project's folder, as `defaults` says
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "adopt")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    steps = _canon_steps(_workflow(clone))
    for command in [*steps["check"], *steps["test"]]:
        result = _run_step(command, clone / "svc", {})
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
    assert (clone / "svc" / "canon-check.sarif").exists()  # where the upload step looks for it

    # one run, journalled at the repository root: undone from the project as a whole
    undone = run_canon("undo", cwd=repo / "svc")
    assert undone.returncode == 0, undone.stderr
    changed = subprocess.run(["git", "diff", "HEAD~1", "--stat"], cwd=repo,
                             capture_output=True, text=True).stdout
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=repo,
                               capture_output=True, text=True).stdout
    assert (changed, untracked) == ("", ""), "the tree is back to the commit before init"


def test_declared_services_run_as_containers_in_the_test_jobs(tmp_path: Path) -> None:
    """A service with an image, or started by `docker run`, is a `services:` container of both
    test jobs (canon run then finds it answering); one started any other way is named."""
    from testcanon.config import Service

    services = {
        "postgres": Service(command="docker run --rm -p {port}:5432 -e POSTGRES_PASSWORD=test postgres:16",
                            port=5433),
        "redis": Service(image="redis:7", port=6379),
        "fake_llm": Service(command="python -m fake_llm --port {port}", port=9100),
    }
    path = tmp_path / "testcanon.yml"
    path.write_text(generated.workflow_yaml(generated.plan_workflow(tmp_path, 2, services)))
    schema = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", str(path)], capture_output=True, text=True)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    workflow = yaml.safe_load(path.read_text())
    for job in ("test", "shard"):
        assert workflow["jobs"][job]["services"] == {
            "postgres": {"image": "postgres:16", "ports": ["5433:5432"],
                         "env": {"POSTGRES_PASSWORD": "test"}},
            "redis": {"image": "redis:7", "ports": ["6379:6379"]}}
    assert "started by `canon run` with their own command: fake_llm" in path.read_text()
    assert "services" not in workflow["jobs"]["check"]
