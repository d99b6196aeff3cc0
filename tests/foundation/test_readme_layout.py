"""README's layout section lists the package's subpackages: every one of them, and no other."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_readme_layout_names_every_subpackage_and_only_those() -> None:
    listed = set(re.findall(r"^  ([a-z_]+)/", _layout_block(), flags=re.MULTILINE))
    package = ROOT / "src" / "testcanon"
    actual = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert listed == actual, (f"README layout: missing {sorted(actual - listed)}, "
                              f"not in the package {sorted(listed - actual)}")


def test_readme_layout_names_the_top_level_folders_that_exist() -> None:
    top = set(re.findall(r"^([a-z_]+)/", _layout_block(), flags=re.MULTILINE)) - {"src"}
    assert top and all((ROOT / name).is_dir() for name in top), top
