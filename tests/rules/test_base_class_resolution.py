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


def test_plain_pytest_classes_and_non_test_files_are_ignored(tmp_path: Path) -> None:
    found = _codes(tmp_path, {
        "tests/test_p.py": "class TestPlain:\n    def test_a(self): pass\n",
        "tests/helpers.py": "import unittest\nclass TestLooksLikeATest(unittest.TestCase):\n    pass\n",
    })
    assert found == {}
