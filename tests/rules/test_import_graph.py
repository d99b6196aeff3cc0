"""The import graph behind `canon run --affected` and migrate's re-collection."""

from __future__ import annotations

from testcanon.analysis import extract, reached

FILES = {
    "fw/__init__.py": "from fw.base import Base\n",
    "fw/base.py": "import unittest\nclass Base(unittest.TestCase): pass\n",
    "fw/other.py": "X = 1\n",
    "tests/test_direct.py": "from fw.base import Base\n",
    "tests/test_package.py": "from fw import Base\n",
    "tests/test_dotted.py": "import fw.base\n",
    "tests/test_sys_path.py": "import sys\nsys.path.insert(0, 'fw')\nimport base\n",
    "tests/test_unrelated.py": "from fw.other import X\n",
    "tests/sub/conftest.py": "from fw.base import Base\n",
    "tests/sub/test_below_conftest.py": "def test_x(): pass\n",
    "tests/test_beside.py": "def test_y(): pass\n",
    "src/pkg/mod.py": "Y = 2\n",
    "tests/test_src_layout.py": "from pkg.mod import Y\n",
}


def _reached(changed: list[str]) -> dict[str, str]:
    facts = {path: extract(text.encode(), path) for path, text in FILES.items()}
    return reached({p: f for p, f in facts.items() if f is not None}, changed, FILES)


def test_a_changed_module_reaches_its_importers_however_they_import_it() -> None:
    seen = _reached(["fw/base.py"])
    for path in ("tests/test_direct.py", "tests/test_package.py", "tests/test_dotted.py",
                 "tests/test_sys_path.py", "tests/sub/test_below_conftest.py"):
        assert seen.get(path) == "fw/base.py", path
    assert "tests/test_unrelated.py" not in seen and "tests/test_beside.py" not in seen
    assert seen["fw/base.py"] == "fw/base.py"


def test_a_src_layout_module_is_reached_by_its_import_name() -> None:
    assert "tests/test_src_layout.py" in _reached(["src/pkg/mod.py"])
    # `import fw.base` binds the package `fw`: which of its modules it uses is not known statically
    assert set(_reached(["fw/other.py"])) == {"fw/other.py", "tests/test_unrelated.py",
                                              "tests/test_dotted.py"}
