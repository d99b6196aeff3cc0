"""`rules.shipped`: the folders each build backend puts in the wheel, read statically."""

from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree
from testcanon.rules.shipped import shipped

_PACKAGES = {"pkg/__init__.py": "", "src/lib/__init__.py": "", "tests/__init__.py": "", "docs/conf.py": "",
             "other/__init__.py": ""}


@pytest.mark.parametrize(("files", "roots"), [
    ({"pyproject.toml": "[tool.setuptools]\npackages = ['pkg', 'pkg.sub']\n"}, ("pkg",)),
    ({"pyproject.toml": "[tool.setuptools]\npackage-dir = {'' = 'src'}\npackages = ['lib']\n"}, ("src/lib",)),
    ({"pyproject.toml": "[tool.setuptools.packages.find]\nwhere = ['src']\n"}, ("src/lib",)),
    ({"pyproject.toml": "[tool.setuptools.packages.find]\ninclude = ['pkg*']\n"}, ("pkg",)),
    ({"setup.cfg": "[options]\npackages = find:\n[options.packages.find]\nexclude = tests\n"},
     ("other", "pkg")),
    ({"setup.py": "from setuptools import setup\nsetup(packages=['pkg'], package_dir={'pkg': 'pkg'})\n"},
     ("pkg",)),
    ({"pyproject.toml": "[build-system]\nbuild-backend = 'hatchling.build'\n[project]\nname = 'Pkg'\n"},
     ("pkg",)),
    ({"pyproject.toml": "[tool.hatch.build.targets.wheel]\npackages = ['src/lib']\n"}, ("src/lib",)),
    ({"pyproject.toml": "[build-system]\nbuild-backend = 'flit_core.buildapi'\n[project]\nname = 'other'\n"},
     ("other",)),
    ({"pyproject.toml": "[tool.poetry]\nname = 'x'\npackages = [{include = 'lib', from = 'src'}]\n"},
     ("src/lib",)),
    ({"pyproject.toml": "[project]\nname = 'nothing-here'\n"}, ("src/lib",)),  # src layout discovery
])
def test_each_backend_names_its_packages(tmp_path: Path, files: dict[str, str],
                                         roots: tuple[str, ...]) -> None:
    root = write_tree(tmp_path / "p", {**_PACKAGES, **files})
    assert shipped(root).roots == roots


def test_flat_layout_discovery_leaves_tests_and_docs_out(tmp_path: Path) -> None:
    files = {k: v for k, v in _PACKAGES.items() if not k.startswith("src/")}
    root = write_tree(tmp_path / "f", {**files,
                                       "setup.py": "from setuptools import setup\nsetup(name='x')\n"})
    assert shipped(root).roots == ("other", "pkg")


def test_a_project_with_no_build_configuration_ships_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "n", {"pkg/__init__.py": "", "tests/test_a.py": ""})
    assert shipped(root).roots == ()
    assert shipped(root).protects("pkg/x.py") is None
