"""Collection health clustering, coverage by area against a hand-computed case, --affected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from canon_support import run_canon, write_tree
from testcanon.runner.collect import imports_what_does_not_compile


def test_collect_clusters_by_root_cause(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_ok.py": "def test_ok():\n    pass\n",
        "tests/test_m1.py": "import missing_pkg.sub\n\ndef test_a():\n    pass\n",
        "tests/test_m2.py": "from missing_pkg.sub import thing\n",
        "tests/test_value.py": "raise ValueError('bad value 42')\n",
        "tests/test_syntax.py": "def test_x(:\n",
    })
    result = run_canon("collect", "--format", "json", "--batch-size", "2", cwd=root)
    assert result.returncode == 1
    health = json.loads(result.stdout)
    assert health["success"] == "1/5"
    clusters = {c["cause"]: c["files"] for c in health["clusters"]}
    assert clusters["ModuleNotFoundError: No module named 'missing_pkg'"] == ["tests/test_m1.py",
                                                                              "tests/test_m2.py"]
    assert clusters["ValueError: bad value N"] == ["tests/test_value.py"]
    assert any(c.startswith("does not compile") and f == ["tests/test_syntax.py"]
               for c, f in clusters.items())


def test_a_helper_that_does_not_compile_is_named_as_the_cause(tmp_path: Path) -> None:
    """Every test importing a broken helper fails for that one file and line, which pytest's last
    line does not name; a helper valid only on a newer Python says so."""
    newer = sys.version_info < (3, 12)  # PEP 701 f-strings are errors before 3.12
    root = write_tree(tmp_path / "h", {
        "pyproject.toml": "[tool.testcanon]\n",
        "helpers/__init__.py": "",
        "helpers/broken.py": "x = 1\n\ndef f(:\n    pass\n",
        "helpers/fstrings.py": 'def f(m):\n    return f"{m.get("t", "u")}"\n',
        "tests/test_a.py": "from helpers.broken import x\n\ndef test_a():\n    pass\n",
        "tests/test_b.py": "import helpers.broken\n\ndef test_b():\n    pass\n",
        "tests/test_c.py": "from helpers.fstrings import f\n\ndef test_c():\n    pass\n",
    })
    result = run_canon("collect", "--format", "json", cwd=root)
    assert result.returncode == 1, result.stderr
    clusters = {c["cause"]: c for c in json.loads(result.stdout)["clusters"]}
    broken = clusters["SyntaxError in helpers/broken.py:3: invalid syntax"]
    assert [c for c in clusters if imports_what_does_not_compile(c)] == [
        c for c in clusters if c.startswith("SyntaxError in helpers/")]
    assert not imports_what_does_not_compile("SyntaxError: invalid syntax")
    assert broken["files"] == ["tests/test_a.py", "tests/test_b.py"]
    assert broken["example_chain"][-1] == "helpers/broken.py:3"
    if newer:
        assert clusters["SyntaxError in helpers/fstrings.py:2: f-string: unmatched '(' (valid only on "
                        "Python 3.12+, PEP 701 f-string; not on the target's Python)"]["files"] == [
            "tests/test_c.py"]


def test_coverage_by_area_matches_a_hand_computed_case(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "cov", {
        "pyproject.toml": ("[tool.testcanon]\ntest_paths = ['tests']\n"
                           "[tool.testcanon.areas.calc]\nsource = ['app/calc.py']\ntarget = 90\n"
                           "[tool.testcanon.areas.untested]\nsource = ['app/other.py']\ntarget = 50\n"),
        "app/__init__.py": "",
        # 5 statements: def, if, return, return, (module) -> the test runs 4 of them
        "app/calc.py": "def sign(x):\n    if x >= 0:\n        return 1\n    return -1\n",
        "app/other.py": "A = 1\nB = 2\n",
        "tests/test_calc.py": "from app.calc import sign\n\ndef test_positive():\n    assert sign(3) == 1\n",
    })
    assert run_canon("run", "--coverage", "--serial", cwd=root).returncode == 0
    report = run_canon("coverage", cwd=root)
    lines = {line.split()[0]: line for line in report.stdout.splitlines()}
    assert "lines   75.0%" in lines["calc"] and "branches   50.0%" in lines["calc"]
    assert "BELOW TARGET" in lines["calc"]
    assert "lines    0.0%" in lines["untested"]
    assert run_canon("coverage", "--fail-under-targets", cwd=root).returncode == 1
    audit = json.loads(run_canon("audit", "--format", "json", cwd=root).stdout)
    assert {m["metric"]: m["current"] for m in audit["metrics"]}["coverage.calc"] == 75.0


def test_affected_selects_changed_tests_and_importers(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "aff", {
        "pyproject.toml": "[tool.testcanon]\n",
        "app/__init__.py": "", "app/core.py": "X = 1\n", "app/api.py": "from app.core import X\n",
        "tests/test_core.py": "from app.api import X\n\ndef test_x():\n    assert X == 1\n",
        "tests/test_other.py": "def test_o():\n    pass\n",
    })
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "."],
                    ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init"]):
        subprocess.run(command, cwd=root, check=True)
    (root / "app" / "core.py").write_text("X = 1  # changed\n")
    result = run_canon("run", "--affected", "HEAD", "--json", "r.json", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tests/test_core.py: imports app/core.py (changed)" in result.stdout
    ran = [t["nodeid"] for t in json.loads((root / "r.json").read_text())["tests"]]
    assert ran == ["tests/test_core.py::test_x"]
