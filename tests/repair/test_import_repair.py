"""Planning the repair of import-time collection failures: moved names and modules, markers."""

from __future__ import annotations

import configparser
import subprocess
import sys
import tomllib
from pathlib import Path
from textwrap import dedent

from testcanon.repair.imports import Failure, ImportMove, ModuleIndex, from_imports, plan_moves, rewrite
from testcanon.repair.markers import NOTE, register, unregistered_marker

FILES = {
    "app/__init__.py": b"",
    "app/core/__init__.py": b"",
    "app/core/config.py": b"def get_settings():\n    return {}\n",
    "app/services/websocket_manager.py": b"class WebSocketManager:\n    pass\n",
    "tests/test_ws.py": b"from app.websocket import WebSocketManager, other\n\n"
                        b"def test_ws():\n    assert WebSocketManager\n",
    "tests/test_cfg.py": b"from app.config import get_settings\n\n"
                         b"def test_cfg():\n    assert get_settings() == {}\n",
}
DEFINED = {"app/core/config.py": ["get_settings"], "app/services/websocket_manager.py": ["WebSocketManager"],
           "app/__init__.py": [], "app/core/__init__.py": [], "tests/test_ws.py": ["test_ws"],
           "tests/test_cfg.py": ["test_cfg"]}


def plan(failures: list[Failure], renamed: dict[str, str] | None = None):
    return plan_moves(failures, ModuleIndex(DEFINED), FILES.get, (renamed or {}).get)


def test_a_name_that_moved_is_imported_from_its_new_home() -> None:
    moves, left = plan([Failure("tests/test_ws.py",
                                "ImportError: cannot import name 'WebSocketManager' "
                                "from 'app.websocket' (/x.py)")])
    assert left == []
    assert moves == [ImportMove("tests/test_ws.py", 1, "app.websocket", "WebSocketManager",
                                "app.services.websocket_manager",
                                "defined in app/services/websocket_manager.py")]
    fixed, applied = rewrite(FILES["tests/test_ws.py"], moves)
    assert applied == moves
    assert fixed.splitlines()[:2] == [b"from app.websocket import other",
                                      b"from app.services.websocket_manager import WebSocketManager"]


def test_a_module_git_renamed_is_imported_under_its_new_name() -> None:
    moves, _ = plan([Failure("tests/test_cfg.py", "ModuleNotFoundError: No module named 'app.config'")],
                    renamed={"app/config.py": "app/core/config.py"})
    assert [m.new_module for m in moves] == ["app.core.config"]
    assert "renamed" in moves[0].evidence
    fixed, _ = rewrite(FILES["tests/test_cfg.py"], moves)
    assert fixed.startswith(b"from app.core.config import get_settings\n")


def test_without_history_the_one_module_of_that_name_defining_the_names() -> None:
    moves, _ = plan([Failure("tests/test_cfg.py", "ModuleNotFoundError: No module named 'app.config'")])
    assert [m.new_module for m in moves] == ["app.core.config"]


def test_the_failing_import_is_found_along_the_chain() -> None:
    files = {**FILES, "tests/helpers.py": b"import os\nfrom app.websocket import WebSocketManager\n",
             "tests/test_uses_helper.py": b"from tests.helpers import *\n"}
    moves, _ = plan_moves([Failure("tests/test_uses_helper.py",
                                   "ImportError: cannot import name 'WebSocketManager' from 'app.websocket'",
                                   ("tests/test_uses_helper.py:1", "tests/helpers.py:2"))],
                          ModuleIndex(DEFINED), files.get, {}.get)
    assert [(m.path, m.line) for m in moves] == [("tests/helpers.py", 2)]


def test_third_party_and_deleted_modules_are_reported_not_rewritten() -> None:
    moves, left = plan([
        Failure("tests/test_ws.py", "ModuleNotFoundError: No module named 'fakeredis'"),
        Failure("tests/test_cfg.py", "ModuleNotFoundError: No module named 'app.legacy'"),
    ])
    assert moves == []
    assert {u.kind for u in left} == {"third-party-missing", "no-import-site"}
    assert any("fakeredis" in u.detail for u in left)


def test_a_statement_sharing_its_line_is_left() -> None:
    source = b"from app.websocket import WebSocketManager; x = 1\n"
    move = ImportMove("t.py", 1, "app.websocket", "WebSocketManager", "app.services.websocket_manager", "")
    assert rewrite(source, [move]) == (source, [])


def test_markers_are_registered_in_pyproject_keeping_its_layout() -> None:
    text = dedent("""\
        [project]
        name = "x"  # a comment

        [tool.pytest.ini_options]
        addopts = "--strict-markers"
        markers = ["slow: takes long"]
    """)
    out = register(text, "pyproject.toml", ["e2e", "slow"])
    assert out.startswith('[project]\nname = "x"  # a comment\n')
    markers = tomllib.loads(out)["tool"]["pytest"]["ini_options"]["markers"]
    assert markers == ["slow: takes long", f"e2e: {NOTE}"]


def test_markers_are_registered_in_an_ini_file() -> None:
    text = "[pytest]\naddopts = --strict-markers\nmarkers =\n    slow: takes long\n\n[flake8]\nx = 1\n"
    out = register(text, "pytest.ini", ["e2e"])
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(out)
    assert parser.get("pytest", "markers").split("\n")[1:] == ["slow: takes long", f"e2e: {NOTE}"]
    assert parser.get("flake8", "x") == "1"
    fresh = register("[tool:pytest]\naddopts = -q\n", "setup.cfg", ["e2e"])
    assert "markers =\n    e2e:" in fresh


def test_a_registered_marker_makes_pytest_collect(tmp_path: Path) -> None:
    """The real check: pytest --strict-markers refuses the file before, collects it after."""
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers -p no:cacheprovider\n")
    (tmp_path / "test_m.py").write_text("import pytest\n\n@pytest.mark.needs_gpu\ndef test_x():\n    pass\n")

    def collect() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    before = collect()
    assert before.returncode != 0
    assert unregistered_marker(before.stdout) == "needs_gpu"
    ini = tmp_path / "pytest.ini"
    ini.write_text(register(ini.read_text(), "pytest.ini", ["needs_gpu"]))
    after = collect()
    assert after.returncode == 0, after.stdout
    assert "test_m.py::test_x" in after.stdout


def test_an_installed_package_of_another_version_is_no_missing_requirement() -> None:
    """Python names `pkg.sub` (or a name in `pkg.mod`) only when it found `pkg`: adding `pkg` to the
    requirements would change nothing."""
    _, left = plan([
        Failure("tests/test_ws.py", "ModuleNotFoundError: No module named '_pytest.legacy'"),
        Failure("tests/test_cfg.py", "ImportError: cannot import name 'Gone' from 'redis.client' (/v/r.py)"),
        Failure("tests/test_ws.py", "ModuleNotFoundError: No module named 'fakeredis'"),
    ])
    kinds = {u.kind: u.detail for u in left}
    assert set(kinds) == {"third-party-version", "third-party-missing"}
    assert "fakeredis" in kinds["third-party-missing"]
    versions = [u for u in left if u.kind == "third-party-version"]
    assert sorted(u.files for u in versions) == [("tests/test_cfg.py",), ("tests/test_ws.py",)]
    assert any("'_pytest'" in u.detail for u in versions) and any("'Gone'" in u.detail for u in versions)


def test_a_repository_module_off_the_path_is_no_missing_requirement() -> None:
    """`import test_helpers` of a file that sits beside the tests: pytest's path, not a package."""
    defined = {**DEFINED, "tests/e2e/test_golden_path.py": ["test_golden"], "tests/e2e/helpers/ws.py": ["W"]}
    _, left = plan_moves([
        Failure("tests/test_ws.py", "ModuleNotFoundError: No module named 'test_golden_path'"),
        Failure("tests/test_cfg.py", "ModuleNotFoundError: No module named 'helpers.ws'"),
    ], ModuleIndex(defined), FILES.get, {}.get)
    assert [u.kind for u in left] == ["not-on-path", "not-on-path"]
    details = " ".join(u.detail for u in left)
    assert "tests/e2e/test_golden_path.py" in details and "tests/e2e/helpers" in details


def _homes(defined: dict[str, list[str]], failing: bytes, cause: str) -> tuple[list[ImportMove], list]:
    files = {"tests/test_x.py": failing}
    return plan_moves([Failure("tests/test_x.py", cause)], ModuleIndex({**defined, "tests/test_x.py": []}),
                      files.get, {}.get)


def test_a_copy_in_a_backup_folder_is_never_the_home_when_the_real_code_defines_it() -> None:
    # each shares no dotted prefix with the old module: only being a copy tells them apart
    moves, left = _homes(
        {"backups/snapshot_20250915/tests/helpers/ws.py": ["WebSocketEvent"],
         "framework/ws_events.py": ["WebSocketEvent"], "archived/helpers.py": ["WebSocketEvent"]},
        b"from tests.helpers.ws_old import WebSocketEvent\n",
        "ImportError: cannot import name 'WebSocketEvent' from 'tests.helpers.ws_old' (/x.py)")
    assert left == [] and [m.new_module for m in moves] == ["framework.ws_events"]


def test_among_equal_homes_the_package_holding_the_others_is_its_public_name() -> None:
    core = {"app/ws/__init__.py": ["create_manager"], "app/ws/factory.py": ["create_manager"],
            "app/ws/compat.py": ["create_manager"]}
    cause = "ImportError: cannot import name 'create_manager' from 'app.ws.manager' (/x.py)"
    moves, left = _homes(core, b"from app.ws.manager import create_manager\n", cause)
    assert left == [] and [m.new_module for m in moves] == ["app.ws"]
    assert "the package that holds every other module defining it" in moves[0].evidence
    # without such a package, still ambiguous: collection could not tell the definitions apart
    del core["app/ws/__init__.py"]
    moves, left = _homes(core, b"from app.ws.manager import create_manager\n", cause)
    assert moves == [] and [u.kind for u in left] == ["ambiguous"]


def test_among_equal_homes_the_one_the_repository_imports_it_from_wins() -> None:
    defined = {"app/ws/factory.py": ["create_manager"], "app/ws/compat.py": ["create_manager"],
               "app/routes.py": [], "app/ws/handlers.py": [], "backups/app/routes.py": [],
               "tests/test_x.py": []}
    sources = {"app/routes.py": b"from app.ws.factory import create_manager\n",
               "app/ws/handlers.py": b"from .factory import create_manager\n",
               # a backup copy's imports are no evidence of where the code that runs gets it
               "backups/app/routes.py": b"from app.ws.compat import create_manager\n" * 3,
               "tests/test_x.py": b"from app.ws.manager import create_manager\n"}
    cause = "ImportError: cannot import name 'create_manager' from 'app.ws.manager' (/x.py)"

    def planned(files: dict[str, bytes]):
        index = ModuleIndex(defined,
                            imports_in=lambda relpath: from_imports(files.get(relpath, b""), relpath))
        return plan_moves([Failure("tests/test_x.py", cause)], index, files.get, {}.get)

    moves, left = planned(sources)
    assert left == [] and [m.new_module for m in moves] == ["app.ws.factory"]
    assert "the repository imports it from there in 2 file(s)" in moves[0].evidence
    # as many files import it from each: ambiguous, with the counts that did not settle it
    moves, left = planned({**sources, "app/ws/handlers.py": b"from app.ws.compat import create_manager\n"})
    assert moves == [] and [u.kind for u in left] == ["ambiguous"]
    assert "app.ws.factory (1 importer(s))" in left[0].detail


def test_relative_imports_are_read_against_the_files_package() -> None:
    source = b"from . import a\nfrom .b import c\nfrom ..d import e\nfrom x.y import z\n"
    assert from_imports(source, "pkg/sub/mod.py") == [
        ("pkg.sub", "a"), ("pkg.sub.b", "c"), ("pkg.d", "e"), ("x.y", "z")]
    assert from_imports(source, "pkg/sub/__init__.py")[:3] == [("pkg.sub", "a"), ("pkg.sub.b", "c"),
                                                                  ("pkg.d", "e")]
    assert from_imports(b"from ...up import x\n", "pkg/mod.py") == []  # above the repository
