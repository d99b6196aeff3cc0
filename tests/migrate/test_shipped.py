"""`canon migrate` never rewrites the project's shipped packages unless named; the default
`infra` globs never make a library's public module test code."""

from __future__ import annotations

from pathlib import Path

from canon_support import write_tree
from testcanon.config import load_project
from testcanon.migrate.run import plan
from testcanon.rules.context import RuleContext

_UNITTEST_ENV = "import os\nimport unittest\n\n\nclass Base(unittest.TestCase):\n    def go(self):\n" \
                "        return os.environ.get('X')\n"


def _celery_like(root: Path, config: str = "[tool.testcanon]\n") -> Path:
    return write_tree(root, {
        "pyproject.toml": config,
        "setup.py": "import setuptools\nsetuptools.setup(name='celery', packages=setuptools.find_packages("
                    "exclude=['t', 't.*']))\n",
        "celery/__init__.py": "",
        "celery/contrib/__init__.py": "",
        "celery/contrib/testing/__init__.py": "",
        "celery/contrib/testing/worker.py": _UNITTEST_ENV,
        "t/__init__.py": "",
        "t/unit/test_worker.py": "import os\n\n\ndef test_w():\n    assert os.environ.get('X') is None\n",
        "t/testing/helpers.py": _UNITTEST_ENV,
    })


def test_shipped_package_is_left_while_the_suite_and_its_infra_are_migrated(tmp_path: Path) -> None:
    root = _celery_like(tmp_path / "c", "[tool.testcanon]\ntest_paths = ['t']\n")
    project = load_project(root)
    report = plan(project, select=["CANON101", "CANON301"])
    changed = sorted(c.path for c in report.changes)
    assert changed == ["t/testing/helpers.py", "t/unit/test_worker.py"]
    assert any(note.startswith("celery/: 1 file(s) of the shipped package left untouched "
                               "(setup.py find_packages")
               for note in report.skipped)
    # `**/testing/**` default
    assert not RuleContext(project, {}).is_infra("celery/contrib/testing/worker.py")
    assert RuleContext(project, {}).is_infra("t/testing/helpers.py")


def test_naming_the_shipped_path_includes_it_but_the_project_root_does_not(tmp_path: Path) -> None:
    root = _celery_like(tmp_path / "c", "[tool.testcanon]\ntest_paths = ['t']\n"
                                        "[tool.testcanon.check]\ninfra = ['celery/contrib/testing/**']\n")
    project = load_project(root)
    # written by the project itself
    assert RuleContext(project, {}).is_infra("celery/contrib/testing/worker.py")
    assert "celery/contrib/testing/worker.py" not in {c.path for c in plan(project, [root]).changes}
    named = plan(project, [root / "celery" / "contrib" / "testing"], select=["CANON101"])
    assert [c.path for c in named.changes] == ["celery/contrib/testing/worker.py"]


def test_a_test_path_the_pytest_configuration_declares_inside_a_package_is_the_suite(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "z", {
        "pyproject.toml": "[tool.setuptools.packages.find]\nwhere = ['.']\n"
                          "include = ['backend*', 'framework*']\n\n"
                          "[tool.pytest.ini_options]\ntestpaths = ['backend/tests']\n\n[tool.testcanon]\n",
        "backend/__init__.py": "", "backend/app.py": "import os\nURL = os.environ.get('URL')\n",
        "backend/tests/test_app.py": "import os\n\n\ndef test_a():\n    assert os.getenv('URL') is None\n",
        "framework/__init__.py": "", "framework/fixtures/base.py": _UNITTEST_ENV,
    })
    report = plan(load_project(root), select=["CANON101", "CANON301"])
    assert [c.path for c in report.changes] == ["backend/tests/test_app.py"]
    assert any(note.startswith("framework/: 1 file(s)") for note in report.skipped)


def test_a_test_class_left_in_a_shipped_package_is_reported_as_such(tmp_path: Path) -> None:
    """the seed corpus ships `shared*` and keeps plain test classes in `shared/tests/` (not a pytest
    test path): they are left, and the report says it is because the package is shipped."""
    from testcanon.migrate.run import account

    root = write_tree(tmp_path / "s", {
        "pyproject.toml": "[tool.setuptools.packages.find]\nwhere = ['.']\ninclude = ['shared*']\n\n"
                          "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "shared/__init__.py": "",
        "shared/tests/__init__.py": "",
        "shared/tests/test_config.py": ("import os\n\nimport pytest\n\n\nclass TestConfig:\n"
                                        "    def test_a(self):\n"
                                        "        assert os.environ.get('A') is None\n\n\n"
                                        "if __name__ == '__main__':\n    pytest.main([__file__])\n"),
        "tests/test_b.py": "def test_b():\n    pass\n",
    })
    project = load_project(root)
    codes = ["CANON101", "CANON201", "CANON301"]
    report = account(project, plan(project, select=codes), select=codes)
    assert [c.path for c in report.changes] == []
    shipped = "it is in the shipped package shared/ (name the path to include it)"
    assert sorted((item.code, item.target, item.reason) for item in report.left) == [
        ("CANON101", "shared/tests/test_config.py::TestConfig", shipped),
        ("CANON201", "shared/tests/test_config.py", shipped),
        ("CANON301", "shared/tests/test_config.py", shipped)]
