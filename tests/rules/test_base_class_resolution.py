"""CANON101/102 across files: aliases, module attributes, re-exports, chains, unresolved."""

from __future__ import annotations

from pathlib import Path

from canon_support import write_tree
from testcanon.config import load_project
from testcanon.rules import check_project

FRAMEWORK = {
    "pyproject.toml": "[tool.testcanon]\n",
    "fw/__init__.py": "from fw.bases import LegacyBase, GoodBase\n",
    "fw/bases.py": ("import unittest\nfrom testcanon import SSotBaseTestCase\n\n"
                    "class LegacyBase(unittest.TestCase):\n    pass\n\n"
                    "class GoodBase(SSotBaseTestCase):\n    pass\n\n"
                    "class DeeperLegacy(LegacyBase):\n    pass\n"),
}


def _codes(tmp_path: Path, files: dict[str, str]) -> dict[str, list[str]]:
    root = write_tree(tmp_path / "repo", {**FRAMEWORK, **files})
    result = check_project(load_project(root), use_cache=False)
    out: dict[str, list[str]] = {}
    for finding in result.findings:
        if finding.code in ("CANON101", "CANON102"):
            out.setdefault(finding.data["class"], []).append(finding.code)
    return out


def test_alias_module_attribute_and_reexport(tmp_path: Path) -> None:
    found = _codes(tmp_path, {"tests/test_x.py": (
        "import fw\nimport fw.bases as fb\nfrom fw.bases import LegacyBase as LB, GoodBase as GB\n\n"
        "class TestAlias(LB):\n    def test_a(self): pass\n\n"
        "class TestAttr(fb.DeeperLegacy):\n    def test_a(self): pass\n\n"
        "class TestReexport(fw.LegacyBase):\n    def test_a(self): pass\n\n"
        "class TestGoodAlias(GB):\n    def test_a(self): pass\n\n"
        "class TestGoodReexport(fw.GoodBase):\n    def test_a(self): pass\n")})
    assert found == {"TestAlias": ["CANON101"], "TestAttr": ["CANON101"], "TestReexport": ["CANON101"]}


def test_unresolvable_base_is_reported_not_guessed(tmp_path: Path) -> None:
    found = _codes(tmp_path, {"tests/test_y.py": (
        "from elsewhere import Mystery\nfrom fw.bases import Nope\n\n"
        "class TestMystery(Mystery):\n    def test_a(self): pass\n\n"
        "class TestNope(Nope):\n    def test_a(self): pass\n")})
    assert found == {"TestMystery": ["CANON102"], "TestNope": ["CANON102"]}


def test_home_made_inventory_counts_transitive_users(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {**FRAMEWORK, "tests/test_z.py": (
        "from fw.bases import LegacyBase, DeeperLegacy\n\n"
        "class TestA(LegacyBase):\n    def test_a(self): pass\n\n"
        "class TestB(DeeperLegacy):\n    def test_b(self): pass\n")})
    result = check_project(load_project(root), use_cache=False)
    inventory = {b.qualified_name: b.test_classes for b in result.home_made_bases}
    assert inventory == {"fw.bases.LegacyBase": 2, "fw.bases.DeeperLegacy": 1}
    assert result.metrics["base_class_variants"] == 2  # two home-made bases, canonical unused


def test_plain_pytest_classes_are_pytest_style_and_non_test_files_are_ignored(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        **FRAMEWORK,
        "tests/test_p.py": "class TestPlain:\n    async def test_a(self): pass\n",
        "tests/helpers.py": "import unittest\nclass TestLooksLikeATest(unittest.TestCase):\n    pass\n",
    })
    findings = [f for f in check_project(load_project(root), use_cache=False).findings
                if f.code == "CANON101"]
    assert [(f.data["class"], f.data["style"], f.data["canonical"]) for f in findings] == [
        ("TestPlain", "pytest", "SSotAsyncTestBase")]


def test_both_families_and_configured_bases_are_canonical(tmp_path: Path) -> None:
    found = _codes(tmp_path, {
        "pyproject.toml": "[tool.testcanon.check]\ncanonical_bases = ['fw.own.OwnBase']\n",
        "fw/own.py": "class OwnBase:\n    def setup_method(self, m): ...\n",
        "tests/test_f.py": ("from testcanon import SSotTestBase, SSotAsyncTestBase, SSotBaseTestCase\n"
                            "from fw.own import OwnBase\n\n"
                            "class TestA(SSotTestBase):\n    def test_a(self): pass\n\n"
                            "class TestB(SSotAsyncTestBase):\n    async def test_b(self): pass\n\n"
                            "class TestC(SSotBaseTestCase):\n    def test_c(self): pass\n\n"
                            "class TestD(OwnBase):\n    def test_d(self): pass\n")})
    assert found == {}


def test_what_is_a_test_class_is_pytests_configuration(tmp_path: Path) -> None:
    """celery: `python_classes = test_*` makes lower-case classes test classes."""
    found = _codes(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = 't/'\npython_classes = 'test_* Check'\n"
                          "python_files = ['test_*.py', 'check_*.py']\n",
        "t/unit/test_app.py": "import unittest\nclass test_App(unittest.TestCase):\n"
                              "    def test_a(self): pass\n"
                              "class TestNotByConfig:\n    def test_b(self): pass\n",
        "t/unit/check_more.py": "class CheckThing:\n    def test_c(self): pass\n\n"
                                "class CheckHelper:\n    __test__ = False\n    def test_d(self): pass\n",
    })
    assert found == {"test_App": ["CANON101"], "CheckThing": ["CANON101"]}


def test_stdlib_abc_protocol_generic_and_mixins_are_plain_not_unresolved(tmp_path: Path) -> None:
    found = _codes(tmp_path, {"tests/test_abc.py": (
        "import abc\nfrom typing import Generic, Protocol, TypeVar\nT = TypeVar('T')\n\n"
        "class Mixin:\n    pass\n\n"
        "class TestA(abc.ABC):\n    def test_a(self): pass\n\n"
        "class TestB(Mixin, Generic[T]):\n    def test_b(self): pass\n\n"
        "class TestC(Protocol):\n    def test_c(self): pass\n")})
    assert found == {"TestA": ["CANON101"], "TestB": ["CANON101"], "TestC": ["CANON101"]}


def test_installed_third_party_bases_are_read_from_the_target_site_packages(tmp_path: Path) -> None:
    import sys

    root = write_tree(tmp_path / "repo", {
        **FRAMEWORK, "pyproject.toml": "[tool.testcanon]\npython = '.venv'\n",
        ".venv/lib/python3.11/site-packages/fakehttp/__init__.py": "from .test_utils import *\n",
        ".venv/lib/python3.11/site-packages/fakehttp/test_utils.py": (
            "from unittest import IsolatedAsyncioTestCase\n__all__ = ['AioTestCase']\n\n"
            "class _Base(IsolatedAsyncioTestCase):\n    pass\n\nclass AioTestCase(_Base):\n    pass\n"),
        ".venv/lib/python3.11/site-packages/fakehttp/plain.py": "class Helper:\n    pass\n",
        "tests/test_http.py": ("from fakehttp import AioTestCase\nfrom fakehttp.plain import Helper\n"
                               "from notinstalled import Base\n\n"
                               "class TestAio(AioTestCase):\n    async def test_a(self): pass\n\n"
                               "class TestHelper(Helper):\n    def test_b(self): pass\n\n"
                               "class TestGone(Base):\n    def test_c(self): pass\n"),
    })
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    result = check_project(load_project(root), use_cache=False)
    found = {f.data["class"]: (f.code, f.data.get("style")) for f in result.findings
             if f.code in ("CANON101", "CANON102")}
    assert found == {"TestAio": ("CANON101", "unittest"), "TestHelper": ("CANON101", "pytest"),
                     "TestGone": ("CANON102", None)}


def test_a_module_level_alias_of_a_base_resolves_like_an_import(tmp_path: Path) -> None:
    """the seed corpus: `BaseTestCase = SSotBaseTestCase` in its own base module."""
    found = _codes(tmp_path, {
        "fw/own.py": "import unittest\n\nclass OwnBase(unittest.TestCase):\n    pass\n\n"
                     "LegacyName = OwnBase\n",
        "tests/test_alias.py": "from fw.own import LegacyName\n\n"
                               "class TestA(LegacyName):\n    def test_a(self): pass\n"})
    assert found == {"TestA": ["CANON101"]}  # through the alias to OwnBase, not "cannot be resolved"


def test_a_base_imported_in_try_with_a_fallback_in_except_is_the_imported_one(tmp_path: Path) -> None:
    """the seed corpus: `try: from test_framework... import SSotAsyncTestCase` / `except ImportError:
    SSotAsyncTestCase = unittest.TestCase`; the class stands on what the import gives where it works."""
    fallback = ("import unittest\n\ntry:\n    from fw.bases import GoodBase\nexcept ImportError:\n"
                "    GoodBase = unittest.TestCase\n\n\nclass TestA(GoodBase):\n    def test_a(self): pass\n")
    assert _codes(tmp_path, {"tests/test_fallback.py": fallback}) == {}
    # a name the `except` alone binds is still resolved through it
    only_except = ("import unittest\n\ntry:\n    import fw.missing\nexcept ImportError:\n"
                   "    Base = unittest.TestCase\n\n\nclass TestB(Base):\n    def test_b(self): pass\n")
    assert _codes(tmp_path, {"tests/test_only_except.py": only_except}) == {"TestB": ["CANON101"]}
