"""`canon collect --repair` on small real git repositories, collected by a small real venv.

One repository holds one failure of each kind: a name that moved, a module git renamed, a
helper on the import chain that imports a moved name, a marker never registered, a package
the environment lacks, a class a script moved above the imports it uses, a name imported only in
the `__main__` block, a name the module never imports (imported as the repository's other
modules import it, or from the one module that defines it), definitions a bulk rename renamed while
their uses kept the old names, and a rewrite that does not make its file collect (refused).
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

pytestmark = pytest.mark.slow

PYTEST_INI = ("[pytest]\naddopts = --strict-markers\npythonpath = .\n"
              "markers =\n    known: a registered marker\n")
SYNTAX_GOOD = "def test_first():\n    assert 1 + 1 == 2\n\n\ndef test_second():\n    assert 'a' in 'abc'\n"
HOISTED_CLASS = ("@pytest.mark.known\nclass TestHoisted:\n    def test_one(self):\n        pass\n\n"
                 "    def test_two(self):\n        pass\n")
HOISTED_HEADER = ('"""A script pasted the class above the docstring and imports."""\n\n'
                  "import os\nimport pytest\n")
HOISTED = HOISTED_CLASS + "\n" + HOISTED_HEADER + "\n\ndef test_after():\n    assert os.sep\n"
MAIN_IMPORT = ("import os\n\n\n@pytest.mark.known\ndef test_marked():\n    assert os.sep\n\n\n"
               'if __name__ == "__main__":\n    import pytest\n    pytest.main([__file__])\n')
NEVER_IMPORTED = ("import os\n\n\n@pytest.mark.known\nclass TestConvention:\n    def test_one(self):\n"
                  "        assert os.sep\n")
SOLE_HOME = ("import os\n\n\nclass TestUsesMetrics:\n    metrics = RunMetrics\n\n"
             "    def test_metrics(self):\n        assert self.metrics.count == 0 and os.sep\n")
RENAMED_DEFINITIONS = ("class RunConfig:\n    retries = 2\n\n\nclass Harness:\n"
                       "    def __init__(self, config: RunConfig):\n        self.config = config\n\n\n"
                       "def make() -> Harness:\n    return Harness(RunConfig())\n\n\n"
                       "def test_harness():\n    assert make().config.retries == 2\n")
OLD = {
    "pytest.ini": PYTEST_INI,
    "tests/test_renamed_definitions.py": RENAMED_DEFINITIONS,
    "app/__init__.py": "",
    "app/config.py": "def get_settings():\n    return {}\n",
    "app/websocket.py": "class WebSocketManager:\n    pass\n\nclass Other:\n    pass\n",
    "legacy/__init__.py": "",
    "legacy/config.py": "def get_settings():\n    return {'legacy': True}\n",  # a second `config` module
    "tests/test_syntax.py": SYNTAX_GOOD,
}
NEW = {
    "app/core/__init__.py": "",
    "app/services/__init__.py": "",
    "app/services/manager.py": "class WebSocketManager:\n    pass\n",
    "app/websocket.py": "class Other:\n    pass\n",
    "tests/__init__.py": "",
    "tests/test_moved_name.py": "from app.websocket import WebSocketManager, Other\n\n\n"
                                "def test_ws():\n    assert WebSocketManager and Other\n\n\n"
                                "def test_ws_again():\n    assert WebSocketManager\n",
    "tests/test_renamed_module.py": "from app.config import get_settings\n\n\n"
                                    "def test_cfg():\n    assert get_settings() == {}\n",
    "tests/helpers.py": "from app.websocket import WebSocketManager\n\nMANAGER = WebSocketManager\n",
    "tests/test_through_helper.py": "from tests.helpers import MANAGER\n\n\n"
                                    "def test_helper():\n    assert MANAGER\n",
    "tests/test_marker.py": "import pytest\n\n\n"
                            "@pytest.mark.flaky_network\ndef test_marked():\n    pass\n\n\n"
                            "@pytest.mark.known\ndef test_known():\n    pass\n",
    "tests/test_third_party.py": "import yaml_is_not_installed_here\n\n\ndef test_yaml():\n    pass\n",
    "tests/test_still_broken.py": "from app.websocket import WebSocketManager\n\nMISSING_AT_IMPORT\n\n\n"
                                  "def test_never():\n    pass\n",
    "tests/test_fine.py": "def test_fine():\n    pass\n",
    "tests/test_hoisted.py": HOISTED,
    "tests/test_main_import.py": MAIN_IMPORT,
    "tests/test_never_imported.py": NEVER_IMPORTED,
    "app/metrics.py": "class RunMetrics:\n    count = 0\n",
    "backups/app/metrics.py": "class RunMetrics:\n    count = 1\n",  # a copy: not a second home
    "tests/test_sole_home.py": SOLE_HOME,
    # a script renamed the definitions and none of their uses
    "tests/test_renamed_definitions.py": RENAMED_DEFINITIONS.replace(
        "class RunConfig:", "class RunConfigTests:").replace("class Harness:", "class HarnessTests:"),
    # damaged after the old layout: canon fix's stage brings back the author's code
    "tests/test_syntax.py": SYNTAX_GOOD.replace("def test_first():", "def test_first()"),
}


@pytest.fixture(scope="session")
def pytest_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with pytest only (nothing of testcanon), built once per session."""
    path = tmp_path_factory.mktemp("collect-repair-venv") / "venv"
    venv.EnvBuilder(with_pip=True, symlinks=True).create(path)
    done = subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", "pytest"],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"cannot install pytest into a fresh venv here: {done.stderr.strip().splitlines()[-1:]}")
    return path


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True,
                   capture_output=True)


def make_repo(root: Path) -> Path:
    """A git repository whose history renames app/config.py to app/core/config.py."""
    write_tree(root, OLD)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "old layout")
    (root / "app" / "core").mkdir()
    _git(root, "mv", "app/config.py", "app/core/config.py")
    write_tree(root, NEW)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "new layout")
    return root


@pytest.fixture(scope="module")
def repaired(tmp_path_factory: pytest.TempPathFactory,
             pytest_venv: Path) -> tuple[Path, dict, dict[str, bytes]]:
    root = make_repo(tmp_path_factory.mktemp("collect-repair") / "repo")
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.py*")
              if ".git" not in p.parts}
    before["pytest.ini"] = (root / "pytest.ini").read_bytes()
    result = run_canon("collect", "--repair", "--format", "json", "--python", str(pytest_venv), cwd=root)
    assert result.returncode == 1, result.stderr  # files are left failing: the package, the broken test
    assert "canon collect: collecting (before)" in result.stderr  # progress goes to stderr
    return root, json.loads(result.stdout), before


def _kept(document: dict, path: str) -> dict:
    return next(edit for edit in document["kept"] if edit["path"] == path)


def test_a_moved_name_is_imported_from_its_new_home(repaired) -> None:
    root, document, _ = repaired
    assert (root / "tests/test_moved_name.py").read_text().splitlines()[:2] == [
        "from app.websocket import Other", "from app.services.manager import WebSocketManager"]
    edit = _kept(document, "tests/test_moved_name.py")
    assert edit["kind"] == "import-moved" and edit["answered"] == ["tests/test_moved_name.py"]
    assert edit["tests"] == 2


def test_a_module_git_renamed_is_imported_under_its_new_name(repaired) -> None:
    root, document, _ = repaired
    # two modules named `config` define get_settings: only git's rename history says which one
    assert (root / "tests/test_renamed_module.py").read_text().startswith(
        "from app.core.config import get_settings\n")
    assert "renamed" in _kept(document, "tests/test_renamed_module.py")["details"][0]


def test_a_helper_on_the_import_chain_is_the_file_rewritten(repaired) -> None:
    root, document, before = repaired
    assert (root / "tests/helpers.py").read_text().startswith(
        "from app.services.manager import WebSocketManager\n")
    assert (root / "tests/test_through_helper.py").read_bytes() == before["tests/test_through_helper.py"]
    assert _kept(document, "tests/helpers.py")["answered"] == ["tests/test_through_helper.py"]


def test_an_unregistered_marker_is_registered_in_the_pytest_config(repaired) -> None:
    root, document, _ = repaired
    text = (root / "pytest.ini").read_text()
    assert "    flaky_network: registered by canon collect --repair" in text
    assert text.startswith(PYTEST_INI)  # one edit: everything else kept
    assert _kept(document, "pytest.ini")["kind"] == "marker-registered"


def test_a_class_moved_above_its_imports_goes_back_below_them_byte_for_byte(repaired) -> None:
    root, document, _ = repaired
    assert (root / "tests/test_hoisted.py").read_text() == (
        HOISTED_HEADER + "\n\n" + HOISTED_CLASS + "\n\ndef test_after():\n    assert os.sep\n")
    edit = _kept(document, "tests/test_hoisted.py")
    assert edit["kind"] == "definitions-lowered" and edit["tests"] == 3
    moved = "moved TestHoisted below the imports (after line 12), where 'pytest' is imported"
    assert moved in edit["details"][0]


def test_definitions_renamed_while_their_uses_were_not_get_their_names_back(repaired) -> None:
    """The file's history shows both classes under the names the module still uses: one edit gives
    both back (each alone would leave the file failing on the other's name)."""
    root, document, _ = repaired
    assert (root / "tests/test_renamed_definitions.py").read_text() == RENAMED_DEFINITIONS
    edit = _kept(document, "tests/test_renamed_definitions.py")
    assert edit["kind"] == "definitions-renamed-back" and edit["tests"] == 1
    assert "RunConfigTests -> RunConfig (line 1), HarnessTests -> Harness (line 5)" in edit["details"][0]


def _assert_import_added(repaired, path: str, source: str, statement: str, why: str) -> None:
    """`statement` was added after the file's `import os` (line 1), its one test now collected,
    and the edit is reported with `why`."""
    root, document, _ = repaired
    assert (root / path).read_text() == source.replace("import os\n", f"import os\n{statement}\n", 1)
    edit = _kept(document, path)
    assert edit["kind"] == "import-added" and edit["tests"] == 1
    assert edit["details"] == [f"{path}: added `{statement}` after line 1, {why}"]


def test_a_name_imported_only_in_the_main_block_is_imported_at_module_level(repaired) -> None:
    _assert_import_added(repaired, "tests/test_main_import.py", MAIN_IMPORT, "import pytest",
                         "as the module imports 'pytest' elsewhere")


def test_a_name_the_module_never_imports_is_imported_as_the_repository_imports_it(repaired) -> None:
    # `import pytest` at module level in two other modules (test_marker, test_hoisted): the convention
    _assert_import_added(repaired, "tests/test_never_imported.py", NEVER_IMPORTED, "import pytest",
                         "as 2 of the repository's modules import 'pytest' (the module never imports it)")


def test_a_name_one_module_alone_defines_is_imported_from_it(repaired) -> None:
    _assert_import_added(repaired, "tests/test_sole_home.py", SOLE_HOME, "from app.metrics import RunMetrics",
                         "as app/metrics.py is the one module of the repository that defines 'RunMetrics' "
                         "(no two modules import it alike)")


def test_a_missing_package_is_reported_with_the_requirement_never_installed(repaired, pytest_venv) -> None:
    root, document, before = repaired
    left = [u for u in document["left"] if u["kind"] == "third-party-missing"]
    assert left and left[0]["files"] == ["tests/test_third_party.py"]
    assert "`yaml_is_not_installed_here`" in left[0]["detail"]
    assert (root / "tests/test_third_party.py").read_bytes() == before["tests/test_third_party.py"]
    assert not list((pytest_venv / "lib").glob("*/site-packages/yaml_is_not_installed_here*"))


def test_a_rewrite_that_does_not_make_its_file_collect_is_refused(repaired) -> None:
    root, document, before = repaired
    assert (root / "tests/test_still_broken.py").read_bytes() == before["tests/test_still_broken.py"]
    refused = next(edit for edit in document["refused"] if edit["path"] == "tests/test_still_broken.py")
    assert "still fail to collect" in refused["reason"] and "NameError" in refused["reason"]
    causes = {f: c["cause"] for c in document["clusters"] for f in c["files"]}
    assert causes["tests/test_still_broken.py"].startswith(  # its original failure, as it is again
        "ImportError: cannot import name 'WebSocketManager' from 'app.websocket'")


def test_collection_before_and_after_is_measured(repaired) -> None:
    _, document, _ = repaired
    assert document["before"]["failed_files"] == 12
    assert document["after"]["failed_files"] == 2
    # 2 (syntax) + 2 + 1 + 1 + 2 (both marked tests) + 3 (the hoisted class's and the one below) + 1 + 1 + 1
    # + 1 (the renamed definitions)
    assert document["after"]["tests"] == document["before"]["tests"] + 15
    stages = {stage["stage"]: (stage["tests"], stage["failed_files"]) for stage in document["stages"]}
    assert list(stages) == ["before", "after canon fix", "after import repair"]
    assert stages["after canon fix"] == (document["before"]["tests"] + 2, 11)
    # canon fix's own time (repairs and their proof) is part of its stage, which also collects
    fix_stage = next(stage["seconds"] for stage in document["stages"] if stage["stage"] == "after canon fix")
    assert 0 < document["fix_seconds"] < fix_stage


def test_files_that_do_not_compile_are_repaired_first_by_canon_fix(repaired) -> None:
    root, document, _ = repaired
    assert (root / "tests/test_syntax.py").read_text() == SYNTAX_GOOD
    [verdict] = document["syntax"]
    assert verdict["path"] == "tests/test_syntax.py" and verdict["proof"] == "collected"


def test_the_repair_is_undone_by_canon_undo(repaired) -> None:
    root, document, before = repaired
    assert document["written"] and document["journal_run"]
    undone = run_canon("undo", cwd=root)
    assert undone.returncode == 0, undone.stderr
    for relpath in ("tests/test_moved_name.py", "tests/helpers.py", "tests/test_renamed_module.py",
                    "pytest.ini", "tests/test_syntax.py", "tests/test_hoisted.py",
                    "tests/test_main_import.py", "tests/test_never_imported.py"):
        assert (root / relpath).read_bytes() == before[relpath], relpath


def test_dry_run_writes_nothing(tmp_path: Path, pytest_venv: Path) -> None:
    root = make_repo(tmp_path / "repo")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    result = run_canon("collect", "--repair", "--dry-run", "--python", str(pytest_venv), cwd=root)
    assert "would write" in result.stdout and "tests/test_moved_name.py" in result.stdout
    assert "after import repair" in result.stdout
    assert "tests/test_syntax.py (does not compile)" in result.stdout
    after = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=root, capture_output=True,
                           text=True).stdout
    # nothing outside .testcanon/ (and what collecting makes, with or without --repair: pytest's
    # cache, and Python's bytecode where the environment writes it)
    left = [line for line in after.splitlines(keepends=True)
            if line not in ("!! .testcanon/\n", "!! .pytest_cache/\n")
            and not line.rstrip().endswith("__pycache__/")]
    assert "".join(left) == status


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="a PEP 701 f-string compiles on this Python")
def test_a_file_only_a_newer_python_reads_is_rewritten_for_an_older_target(tmp_path: Path,
                                                                          pytest_venv: Path) -> None:
    """The target's Python (no newer than canon's) cannot read a PEP 701 f-string: rewriting it is
    the only way the file collects there, so the syntax stage does it (verified like any repair)."""
    root = write_tree(tmp_path / "repo", {
        "pytest.ini": "[pytest]\ntestpaths = tests\n",
        "tests/test_newer.py": ('def test_greeting():\n    name = "x"\n'
                                '    assert f"hi {name + "!"}" == "hi x!"\n'),
    })
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "a newer f-string")
    result = run_canon("collect", "--repair", "--format", "json", "--python", str(pytest_venv), cwd=root)
    assert result.returncode == 0, result.stderr
    [verdict] = json.loads(result.stdout)["syntax"]
    assert verdict["path"] == "tests/test_newer.py" and verdict["proof"] == "collected"
    assert verdict["verdict"] == "fixed-locally" and "f-string" in verdict["edits"][0]
    text = (root / "tests" / "test_newer.py").read_text()
    compile(text, "test_newer.py", "exec")  # this Python reads it now
    assert "def test_greeting():" in text
    ran = subprocess.run([str(pytest_venv / "bin" / "python"), "-m", "pytest", "-q", "-p",
                          "no:cacheprovider"], cwd=root, capture_output=True, text=True, timeout=120)
    assert "1 passed" in ran.stdout, ran.stdout
