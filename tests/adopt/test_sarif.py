"""SARIF GitHub code scanning accepts: the SARIF multitool's GitHub rules, rule documentation, one
category per command, and paths relative to the repository root (also in a monorepo)."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from canon_support import EXAMPLE, REPO_ROOT, run_canon, write_tree
from testcanon.__about__ import DOCS_URI

MULTITOOL_VERSION = "5.7.0"


@pytest.fixture(scope="session")
def multitool() -> Path:
    """The npm `@microsoft/sarif-multitool`, installed once into a cache directory shared by the
    sessions of this machine (a lock keeps parallel workers from installing it twice)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch @microsoft/sarif-multitool")
    cache = Path(tempfile.gettempdir()) / f"testcanon-sarif-multitool-{MULTITOOL_VERSION}"
    cache.mkdir(exist_ok=True)
    binary = cache / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            result = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache),
                 f"@microsoft/sarif-multitool@{MULTITOOL_VERSION}"],
                capture_output=True, text=True, timeout=600)
            if result.returncode != 0 or not binary.exists():
                pytest.skip(f"could not install @microsoft/sarif-multitool: {result.stderr.strip()[-300:]}")
    binary.chmod(0o755)  # its postinstall script, which npm may not run, does this
    return binary


def _gh_errors(multitool: Path, sarif: Path) -> list[str]:
    """Errors of the multitool's GitHub ingestion rules and SARIF rules, as `RULE: message`."""
    report = sarif.with_suffix(".validation.sarif")
    # `npx @microsoft/sarif-multitool` passes its arguments through a shell, which splits
    # "Gh;Sarif" at the semicolon: call the binary the package installs directly.
    subprocess.run([str(multitool), "validate", "--rule-kind", "Gh;Sarif", "-o", str(report), str(sarif)],
                   check=True, capture_output=True, text=True, timeout=300)
    results = json.loads(report.read_text())["runs"][0]["results"]
    return [f"{r['ruleId']}: {r['message']}" for r in results if r.get("level", "warning") == "error"]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "example"))


@pytest.mark.slow
def test_example_sarif_has_zero_github_rule_errors(multitool: Path, example: Path) -> None:
    assert run_canon("check", "--write-baseline", cwd=example).returncode == 0
    (example / "tests" / "test_new_env.py").write_text("import os\n\n\n"
                                                       "def test_x():\n    os.environ['X'] = '1'\n")
    for command in ("check", "scan"):
        out = example / f"{command}.sarif"
        run_canon(command, "--format", "sarif", "-o", str(out), cwd=example)
        document = json.loads(out.read_text())
        assert document["runs"][0]["results"], command
        assert _gh_errors(multitool, out) == [], command


def test_a_sarif_without_rule_help_is_caught_by_the_validator(multitool: Path, example: Path) -> None:
    """The check above can fail: the same validator reports what 0.1.0 wrote."""
    out = example / "check.sarif"
    run_canon("check", "--format", "sarif", "-o", str(out), cwd=example)
    document = json.loads(out.read_text())
    for rule in document["runs"][0]["tool"]["driver"]["rules"]:
        del rule["help"], rule["fullDescription"]
    out.write_text(json.dumps(document))
    errors = _gh_errors(multitool, out)
    assert errors and all(e.startswith("GH2012") for e in errors)


def test_rules_carry_their_documentation_and_a_category_per_command(example: Path) -> None:
    check = json.loads(run_canon("check", "--format", "sarif", cwd=example).stdout)["runs"][0]
    scan = json.loads(run_canon("scan", "--format", "sarif", cwd=example).stdout)["runs"][0]
    assert check["automationDetails"]["id"] == "testcanon/check/"
    assert scan["automationDetails"]["id"] == "testcanon/scan/"
    for rule in check["tool"]["driver"]["rules"]:
        page = REPO_ROOT / "docs" / "rules" / f"{rule['id']}.md"
        assert rule["helpUri"] == f"{DOCS_URI}/rules/{rule['id']}.md"
        assert page.is_file(), f"{rule['helpUri']} would not resolve"
        assert rule["help"]["markdown"] == page.read_text(encoding="utf-8")  # the docs, verbatim
        assert rule["fullDescription"]["text"] and rule["fullDescription"]["text"] != rule["id"]
    env = next(r for r in check["tool"]["driver"]["rules"] if r["id"] == "CANON301")
    assert "one dictionary for the whole process" in env["fullDescription"]["text"]


@pytest.mark.slow
def test_paths_are_relative_to_the_repository_root_in_a_monorepo(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "mono", {
        "README.md": "monorepo\n",
        "svc/pyproject.toml": "[project]\nname = 'svc'\n\n[tool.testcanon]\n",
        "svc/tests/test_env.py": "import os\n\n\ndef test_a():\n    assert os.getenv('A') is None\n",
        "svc/tests/test_broken.py": "def test_b(:\n",
    })
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    project = repo / "svc"
    sarif = json.loads(run_canon("check", "--format", "sarif", cwd=project).stdout)
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in sarif["runs"][0]["results"])
    assert uris == ["svc/tests/test_broken.py", "svc/tests/test_env.py"]
    github = run_canon("check", "--format", "github", cwd=project).stdout
    assert "file=svc/tests/test_env.py," in github and "file=svc/tests/test_broken.py," in github
    scan = run_canon("scan", "--format", "github", cwd=project).stdout
    assert "file=svc/tests/test_broken.py," in scan
    document = json.loads(run_canon("check", "--format", "json", cwd=project).stdout)
    assert document["path_prefix"] == "svc/"
    assert sorted(f["path"] for f in document["findings"]) == uris
    scan_json = json.loads(run_canon("scan", "--format", "json", cwd=project).stdout)
    assert [f["path"] for f in scan_json["findings"]] == ["svc/tests/test_broken.py"]
    # the baseline stays project-relative: moving the project inside the repository keeps it valid
    run_canon("check", "--write-baseline", cwd=project)
    stored = json.loads((project / "testcanon-baseline.json").read_text())
    assert sorted(e["path"] for e in stored["findings"]) == ["tests/test_broken.py", "tests/test_env.py"]
