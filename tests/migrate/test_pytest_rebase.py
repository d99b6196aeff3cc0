"""CANON101 for pytest-style classes: each moves onto the pytest-native canonical base, a
shared home-made base is re-based once, a conflicting one is reported with what to do; the
suite still passes under pytest afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

_MIXINS = ("import abc\n\nclass ApiMixin(abc.ABC):\n    base = 'x'\n\n    def setup_method(self, method):\n"
           "        self.client = 1\n\n\nclass Waits:\n    def wait_for(self, c):\n        return c\n\n\n"
           "class EnvBase:\n    def setup_method(self):\n        import os\n"
           "        os.environ['MODE'] = 'x'\n")
_TESTS = ("import pytest\nfrom tests.helpers.mixins import ApiMixin, EnvBase, Waits\n\n\n"
          "class TestOne(ApiMixin):\n    @pytest.fixture(scope='class')\n"
          "    def shared(self):\n        return []\n\n"
          "    @pytest.mark.parametrize('n', [1, 2])\n    def test_a(self, n, shared, tmp_path):\n"
          "        assert self.client == 1\n\n\n"
          "class TestTwo(ApiMixin):\n    async def test_b(self):\n        pass\n\n\n"
          "class TestThree(Waits):\n    def test_c(self):\n        pass\n\n\n"
          "class TestFour(EnvBase):\n    def test_e(self):\n        pass\n\n\n"
          "class TestPlain(object):\n    def test_d(self):\n        assert not hasattr(self, 'missing')\n")


@pytest.mark.slow
def test_pytest_style_classes_move_onto_the_pytest_native_base(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/__init__.py": "",
                                       "tests/helpers/__init__.py": "", "tests/helpers/mixins.py": _MIXINS,
                                       "tests/test_a.py": _TESTS.replace("    async def test_b",
                                                                         "    def test_b")})
    # Every test passes before and after: outcome verification writes a change only when no test's
    # outcome moves (a test that starts passing counts as moved too).
    report = json.loads(run_canon("migrate", "--select", "CANON101", "--format", "json", cwd=root).stdout)
    assert report["rejected"] == {}
    assert set(report["proof"].values()) == {"outcomes"}
    mixins = (root / "tests/helpers/mixins.py").read_text()
    tests = (root / "tests/test_a.py").read_text()
    assert "class ApiMixin(abc.ABC, SSotTestBase):" in mixins  # one edit for TestOne and TestTwo
    assert ("    def setup_method(self, method):\n        super().setup_method(method)\n"
            "        self.client = 1") in mixins
    assert "class TestPlain(SSotTestBase):" in tests and "class TestOne(ApiMixin):" in tests
    left = {item["target"]: item["reason"] for item in report["left"]}
    assert "defines `wait_for`, which SSotTestBase provides" in left["tests.helpers.mixins.Waits"]
    assert "writes the process environment itself (`os.environ['MODE'] =` at line 18)" in \
        left["tests.helpers.mixins.EnvBase"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert "6 passed" in run.stdout, run.stdout


def test_a_base_used_by_async_tests_gets_the_async_base(tmp_path: Path) -> None:
    from testcanon.config import load_project
    from testcanon.migrate.run import plan

    root = write_tree(tmp_path / "a", {"pyproject.toml": "[tool.testcanon]\n", "tests/__init__.py": "",
                                       "tests/helpers/__init__.py": "", "tests/helpers/mixins.py": _MIXINS,
                                       "tests/test_a.py": _TESTS})
    report = plan(load_project(root), select=["CANON101"])
    after = {c.path: c.after.decode() for c in report.changes}
    assert "class ApiMixin(abc.ABC, SSotAsyncTestBase):" in after["tests/helpers/mixins.py"]
    assert "from testcanon import SSotAsyncTestBase" in after["tests/helpers/mixins.py"]
