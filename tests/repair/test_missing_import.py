"""A name the module uses on import but does not import there is imported at module level: as the
module itself imports it elsewhere, else as the repository's other modules do, else from the one
module that defines it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from canon_support import write_tree
from testcanon.config import load_project
from testcanon.repair.missing_import import add_missing_import
from testcanon.repair.repository_index import import_convention, module_index, sole_definition

MAIN_ONLY = ('"""Doc."""\nimport os\n\n\n@pytest.mark.integration\nclass TestX:\n    pass\n\n\n'
             'if __name__ == "__main__":\n    import pytest\n    pytest.main([__file__])\n')


def test_the_import_of_the_main_block_is_copied_after_the_top_level_imports() -> None:
    added = add_missing_import("t.py", MAIN_ONLY.encode(), "pytest")
    assert added is not None
    new, what = added
    assert new.decode() == MAIN_ONLY.replace("import os\n", "import os\nimport pytest\n", 1)
    assert what.describe() == ("t.py: added `import pytest` after line 2, as the module imports 'pytest' "
                               "elsewhere")


def test_only_the_alias_that_binds_the_name_is_copied_and_aliases_are_kept() -> None:
    source = b"def f():\n    from unittest import mock as m, TestCase\n\n\nx = m.Mock()\n"
    new, what = add_missing_import("t.py", source, "m")  # type: ignore[misc]
    assert new.startswith(b"from unittest import mock as m\ndef f():")
    assert what.line == 0


def test_nothing_is_added_when_the_module_does_not_say_which_import_it_means() -> None:
    assert add_missing_import("t.py", b"@pytest.mark.x\nclass T:\n    pass\n", "pytest") is None
    two = b"def f():\n    import a as x\n\n\ndef g():\n    import b as x\n\n\ny = x\n"
    assert add_missing_import("t.py", two, "x") is None  # two different imports: ambiguous
    top = b"import pytest\n\n\ndef f():\n    import pytest\n"
    assert add_missing_import("t.py", top, "pytest") is None  # already at module level


def _repository(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "tree")):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True,
                       capture_output=True)
    return root


def test_the_repository_convention_is_the_statement_most_of_its_modules_use(tmp_path: Path) -> None:
    root = _repository(tmp_path, {
        "a.py": "from unittest.mock import Mock, patch\nimport pytest\n",
        "b.py": "from unittest.mock import Mock\n",
        "c.py": "from unittest.mock import Mock as M\nfrom mock import Mock\n",  # binds M; one other file
        "backups/d.py": "from mock import Mock\n",  # a copy: not the code that runs
        "e.py": "def f():\n    from mock import Mock\n",  # not module level
        "pkg/f.py": "from .mod import Mock\n",  # relative: means a different module elsewhere
        "g.py": "import os.path\nimport os\n",
        "h.py": "import os.path\n",
    })
    convention = import_convention(root)
    assert convention("Mock") == ("from unittest.mock import Mock", 2)
    assert convention("M") is None  # one file alone is no convention
    assert convention("pytest") is None
    assert convention("os") == ("import os.path", 2)  # `import os.path` binds `os` too
    assert convention("patch") is None
    assert convention("not a name") is None


def test_a_tie_is_no_convention(tmp_path: Path) -> None:
    root = _repository(tmp_path, {"a.py": "from x import Y\n", "b.py": "from x import Y\n",
                                  "c.py": "from z import Y\n", "d.py": "from z import Y\n"})
    assert import_convention(root)("Y") is None


def test_a_name_the_module_never_imports_follows_the_convention() -> None:
    source = b'"""Doc."""\nimport os\n\n\n@pytest.mark.slow\ndef test_x():\n    assert os.sep\n'
    added = add_missing_import("t.py", source, "pytest", lambda name: ("import pytest", 7))
    assert added is not None
    new, what = added
    assert new == source.replace(b"import os\n", b"import os\nimport pytest\n", 1)
    assert what.describe() == ("t.py: added `import pytest` after line 2, as 7 of the repository's modules "
                               "import 'pytest' (the module never imports it)")


def test_the_module_own_evidence_wins_and_its_own_names_are_never_imported() -> None:
    convention = {"pytest": ("import pytest as pt", 9), "Helper": ("from lib import Helper", 4)}.get
    new, what = add_missing_import("t.py", MAIN_ONLY.encode(), "pytest", convention)  # type: ignore[misc]
    assert what.statement == "import pytest" and what.convention == 0
    defined_later = b"X = Helper()\n\n\nclass Helper:\n    pass\n"
    assert add_missing_import("t.py", defined_later, "Helper", convention) is None  # an order problem
    assert add_missing_import("t.py", b"y = unknown\n", "unknown", convention) is None


def test_the_one_module_that_defines_a_name_is_its_home(tmp_path: Path) -> None:
    root = _repository(tmp_path, {
        "pyproject.toml": "[tool.testcanon]\n",
        "src/app/__init__.py": "",
        "src/app/metrics.py": "class RunMetrics:\n    pass\n\nclass Twice:\n    pass\n",
        "lib2/other.py": "class Twice:\n    pass\n",  # a second home: no single answer
        "backups/src/app/metrics.py": "class RunMetrics:\n    pass\n",  # a copy
        "tests/test_x.py": "class Helper:\n    pass\n",  # a test module is no helper's home
        "tests/uses.py": "x = RunMetrics\n",  # mentions, does not define
    })
    home = sole_definition(module_index(load_project(root)))
    assert home("RunMetrics") == ("app.metrics", "src/app/metrics.py")  # `src.` dropped: the shorter name
    assert home("Twice") is None
    assert home("Helper") is None
    assert home("Nowhere") is None


def test_a_name_with_no_convention_is_imported_from_its_one_home() -> None:
    home = {"RunMetrics": ("app.metrics", "app/metrics.py"), "Self": ("t", "t.py")}.get
    source = b"import os\n\nx = RunMetrics\n"
    new, what = add_missing_import("t.py", source, "RunMetrics", lambda _name: None, home)  # type: ignore[misc]
    assert new == b"import os\nfrom app.metrics import RunMetrics\n\nx = RunMetrics\n"
    assert what.home == "app/metrics.py" and what.convention == 0
    convention = {"RunMetrics": ("from app import RunMetrics", 3)}.get
    _, preferred = add_missing_import("t.py", source, "RunMetrics", convention, home)  # type: ignore[misc]
    assert preferred.statement == "from app import RunMetrics" and not preferred.home  # the convention first
    assert add_missing_import("t.py", b"y = Self\n", "Self", None, home) is None  # its own file
