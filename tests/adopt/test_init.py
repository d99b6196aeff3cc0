"""`canon init` on real trees: inference with evidence, preservation, idempotence, undo."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

from canon_support import REPO_ROOT, run_canon, write_tree
from testcanon.__about__ import __version__

SPRAWL = {
    "pyproject.toml": '[project]\nname = "demo"  # keep this comment\n\n[tool.ruff]\nline-length = 99\n',
    "app/__init__.py": "",
    "app/websocket/__init__.py": "",
    "app/websocket/manager.py": "class Manager: ...\n",
    "app/agents/__init__.py": "",
    "app/agents/runner.py": "def run(): ...\n",
    "tests/conftest.py": "import pytest\n",
    "tests/unit/test_math.py": "def test_add():\n    assert 1 + 1 == 2\n",
    "tests/integration/test_cache.py": "import redis\n\ndef test_cache():\n    assert redis\n",
    # a mere import is no evidence: the library under test, a fake, a client
    "tests/unit/test_clients.py": "import docker\nimport fakeredis\nimport redis\nimport psycopg\n",
    "tests/e2e/test_flow.py": "import pytest\n\n@pytest.mark.e2e\ndef test_flow():\n    pass\n",
    # a fixture that starts its own container: real services, nothing for the runner to reach
    "tests/e2e/conftest.py": ("import pytest\nfrom testcontainers.postgres import PostgresContainer\n\n\n"
                              "@pytest.fixture(scope='session')\ndef db():\n"
                              "    with PostgresContainer('postgres:16') as pg:\n        yield pg\n"),
    # a CI job with service containers that runs the integration tests
    ".github/workflows/ci.yml": ("on: push\njobs:\n  integration:\n    runs-on: ubuntu-latest\n"
                                 "    services:\n      cache:\n        image: redis:7\n"
                                 "    steps:\n      - run: canon run --category integration\n"),
    # shipped library code in a folder named like test infrastructure
    "app/testing/__init__.py": "def helper(): ...\n",
    "tests/test_framework/base.py": "import unittest\nclass Base(unittest.TestCase): pass\n",
    "backup/tests/test_old.py": "def test_old(:\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", SPRAWL)


def _config(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["testcanon"]


def test_infers_categories_areas_infra_and_excludes_with_evidence(repo: Path) -> None:
    result = run_canon("-v", "init", cwd=repo)
    assert result.returncode == 0, result.stderr
    phases = [line.split("] ", 1)[1] for line in result.stderr.splitlines()]  # -v: what it did, in order
    assert phases[0].startswith("reading the repository's evidence") and \
        "recording today's findings in the baseline (canon check)" in phases
    config = _config(repo)
    assert config["test_paths"] == ["tests"]
    assert config["extend_exclude"] == ["backup/**"]
    categories = config["categories"]
    assert set(categories) == {"unit", "integration", "e2e"}
    assert categories["integration"]["real_services"] is True
    assert categories["integration"]["services"] == ["redis"]
    assert "real_services" not in categories["unit"] and "services" not in categories["unit"]
    assert categories["e2e"]["markers"] == ["e2e"]
    assert categories["e2e"]["real_services"] is True and "services" not in categories["e2e"]
    assert config["services"]["redis"]["port"] == 6379
    assert config["areas"]["websocket"] == {"source": ["app/websocket/**"], "target": 90.0}
    assert config["areas"]["agent"] == {"source": ["app/agents/**"], "target": 85.0}
    assert config["check"]["infra"] == ["**/conftest.py", "tests/test_framework/**"]  # not app/testing
    assert "exclude backup/: 1 file(s)" in result.stdout
    assert ("category integration: 1 test file(s) in 'integration/' folders; real services: "
            ".github/workflows/ci.yml job 'integration' runs a redis:7 container") in result.stdout
    assert "tests/e2e/conftest.py:7 starts a testcontainers PostgresContainer" in result.stdout
    text = (repo / "pyproject.toml").read_text()
    assert "# evidence: 1 test file(s) in 'integration/' folders; real services: .github/" in text


def test_existing_formatting_and_comments_survive(repo: Path) -> None:
    run_canon("init", cwd=repo)
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "demo"  # keep this comment\n\n[tool.ruff]\nline-length = 99\n')


def test_existing_settings_and_precommit_comments_are_kept(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(SPRAWL["pyproject.toml"] +
                                        "\n[tool.testcanon]\n# mine\ntest_paths = ['mytests']\n")
    (repo / ".pre-commit-config.yaml").write_text(
        "# team hooks\nrepos:\n  - repo: https://github.com/psf/black  # formatter\n"
        "    rev: 24.1.0\n    hooks:\n      - id: black\n")
    assert run_canon("init", cwd=repo).returncode == 0
    assert _config(repo)["test_paths"] == ["mytests"]
    assert "# mine" in (repo / "pyproject.toml").read_text()
    precommit = (repo / ".pre-commit-config.yaml").read_text()
    assert precommit.startswith("# team hooks\nrepos:\n  - repo: https://github.com/psf/black  # formatter\n")
    repos = yaml.safe_load(precommit)["repos"]
    assert [h["id"] for r in repos for h in r["hooks"]] == ["black", "canon-check", "canon-scan"]
    assert repos[-1]["repo"] == "https://github.com/testcanon/testcanon"
    assert repos[-1]["rev"] == f"v{__version__}"  # pinned to testcanon's own hook repository


def test_force_replaces_a_setting(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.testcanon]\ntest_paths = ['mytests']\n")
    run_canon("init", "--force", cwd=repo)
    assert _config(repo)["test_paths"] == ["tests"]


def test_second_run_changes_nothing(repo: Path) -> None:
    run_canon("init", cwd=repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".testcanon" not in p.parts}
    second = run_canon("init", cwd=repo)
    assert "nothing to change" in second.stdout
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".testcanon" not in p.parts}
    assert before == after


def test_dry_run_shows_diffs_and_writes_nothing(repo: Path) -> None:
    result = run_canon("init", "--dry-run", cwd=repo)
    assert "+++ b/pyproject.toml" in result.stdout
    assert "--- /dev/null\n+++ b/.github/workflows/testcanon.yml" in result.stdout
    assert not (repo / ".github" / "workflows" / "testcanon.yml").exists()
    assert "[tool.testcanon]" not in (repo / "pyproject.toml").read_text()


def test_empty_repository(tmp_path: Path) -> None:
    result = run_canon("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 test files" in result.stdout
    assert (tmp_path / "pyproject.toml").exists()
    assert (tmp_path / "docs" / "TESTING.md").exists()
    assert run_canon("scan", cwd=tmp_path).returncode == 0  # the written config is valid


def test_undo_restores_everything(repo: Path) -> None:
    original = (repo / "pyproject.toml").read_bytes()
    run_canon("init", cwd=repo)
    assert run_canon("undo", cwd=repo).returncode == 0
    assert (repo / "pyproject.toml").read_bytes() == original
    assert not (repo / ".github" / "workflows" / "testcanon.yml").exists() and not (repo / "docs").exists()
    assert not (repo / "testcanon-baseline.json").exists()


def test_workflow_is_valid_yaml_whose_canon_commands_exist(repo: Path) -> None:
    from testcanon.cli import app

    run_canon("init", cwd=repo)
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "testcanon.yml").read_text())
    commands = [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
                if "run" in step and step["run"].startswith("canon ")]
    assert commands
    registered = {command.name for command in app.registered_commands}
    for command in commands:
        words = shlex.split(command.split(">>")[0].replace("${{ matrix.shard }}", "1"))
        assert words[1] in registered, f"{command}: no such command"
        help_text = run_canon(words[1], "--help", cwd=repo).stdout
        for option in (w.split("=")[0] for w in words[2:] if w.startswith("--")):
            assert option in help_text, f"{command}: {option} is not an option of canon {words[1]}"


def test_testing_guide_lists_one_command_per_category(repo: Path) -> None:
    run_canon("init", cwd=repo)
    guide = (repo / "docs" / "TESTING.md").read_text()
    for category in ("unit", "integration", "e2e"):
        assert f"`canon run --category {category}`" in guide
    assert re.search(r"Definition of done", guide)


def test_home_made_bases_are_counted_without_the_folders_init_excludes(tmp_path: Path) -> None:
    base = "import unittest\n\n\nclass Base(unittest.TestCase):\n    pass\n"
    user = "from tests.base import Base\n\n\nclass TestA(Base):\n    def test_a(self):\n        pass\n"
    root = write_tree(tmp_path / "r", {
        "pyproject.toml": "[project]\nname = 'r'\n", "tests/__init__.py": "", "tests/base.py": base,
        "tests/test_a.py": user,
        "backups/tests/__init__.py": "", "backups/tests/base.py": base.replace("Base", "OldBase"),
        "backups/tests/test_b.py": user.replace("tests.base import Base", "backups.tests.base import OldBase")
                                       .replace("(Base)", "(OldBase)").replace("TestA", "TestB"),
        "backups/tests/test_c.py": user.replace("TestA", "TestC"),
    })
    result = run_canon("init", "--dry-run", cwd=root)
    assert "exclude backups/" in result.stdout
    assert "1 home-made base classes; the most used is tests.base.Base (1 test classes)" in result.stdout


# psf/black's layout: [tool.*] tables on both sides of [project] (tomlkit's OutOfOrderTableProxy)
SPLIT_PYPROJECT = """\
# Example configuration for Black.
[tool.black]
line-length = 88   # keep

[build-system]
requires = ["hatchling"]

[project]
name = "black"

[tool.isort]
profile = "black"

[[tool.mypy.overrides]]
module = ["tests.data.*"]
ignore_errors = true
"""

# scrapy's layout: list items at column 0, hooks indented two ways, a key after repos
SCRAPY_PRECOMMIT = """\
exclude: |
  (?x)(
      ^docs/_static
  )
repos:
- repo: https://github.com/astral-sh/ruff-pre-commit
  rev: v0.15.20
  hooks:
    - id: ruff-check
      args: [ --fix ]
- repo: https://github.com/pre-commit/pre-commit-hooks
  rev: v6.0.0
  hooks:
  - id: end-of-file-fixer

ci:
  autoupdate_schedule: monthly
"""


def test_split_tool_tables_and_a_column_zero_precommit_keep_their_layout(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"pyproject.toml": SPLIT_PYPROJECT,
                                       ".pre-commit-config.yaml": SCRAPY_PRECOMMIT,
                                       "tests/test_a.py": "def test_a():\n    pass\n"})
    result = run_canon("init", cwd=root)
    assert result.returncode == 0, result.stderr
    pyproject = (root / "pyproject.toml").read_text()
    assert pyproject.startswith(SPLIT_PYPROJECT)  # every byte before, the new section after
    assert tomllib.loads(pyproject)["tool"]["testcanon"]["test_paths"] == ["tests"]
    precommit = (root / ".pre-commit-config.yaml").read_text()
    head, _, tail = SCRAPY_PRECOMMIT.partition("\nci:\n")
    assert precommit.startswith(head) and precommit.endswith("\nci:\n" + tail)
    assert "- repo: https://github.com/testcanon/testcanon\n  rev: v" in precommit  # column 0, like the rest
    assert yaml.safe_load(precommit)["ci"] == {"autoupdate_schedule": "monthly"}
    assert run_canon("init", cwd=root).stdout.rstrip().endswith(
        "nothing to change: testcanon is already set up here")


def test_written_files_have_conventional_modes(repo: Path) -> None:
    (repo / "pyproject.toml").chmod(0o664)
    run_canon("init", cwd=repo)
    assert (repo / "pyproject.toml").stat().st_mode & 0o777 == 0o664  # kept
    for created in (".github/workflows/testcanon.yml", "docs/TESTING.md", ".pre-commit-config.yaml",
                    "testcanon-baseline.json"):
        assert (repo / created).stat().st_mode & 0o777 == 0o644, created


def test_hook_ids_written_are_the_ones_testcanon_provides() -> None:
    provided = {hook["id"] for hook in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    from testcanon.adopt.plan import HOOK_IDS

    assert set(HOOK_IDS) <= provided


def test_service_markers_and_compose_files_in_a_category_are_evidence(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {
        "pyproject.toml": "[project]\nname = 'r'\n",
        "tests/integration/test_db.py": ("import pytest\n\n\n@pytest.mark.requires_postgres\n"
                                         "def test_db():\n    pass\n"),
        "tests/e2e/test_flow.py": "def test_flow():\n    pass\n",
        "tests/e2e/docker-compose.yml": "services:\n  cache:\n    image: redis:7\n",
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",  # whole repo: no category's
        "tests/unit/test_a.py": "def test_a():\n    pass\n",
    })
    result = run_canon("init", "--dry-run", cwd=root)
    assert "category integration: 1 test file(s) in 'integration/' folders; real services: 1 file(s) use " \
           "@pytest.mark.requires_postgres" in result.stdout
    assert "real services: tests/e2e/docker-compose.yml defines service 'cache'" in result.stdout
    assert "category unit: 1 test file(s) in 'unit/' folders\n" in result.stdout
