from __future__ import annotations

from pathlib import Path

from canon_support import write_tree
from testcanon.runner.paths import compress


def test_whole_folders_are_passed_as_folders(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "tests/unit/test_a.py": "", "tests/unit/test_b.py": "", "tests/unit/helpers.py": "",
        "tests/e2e/test_c.py": "", "tests/e2e/deep/test_d.py": "", "tests/test_top.py": "",
    })
    assert compress(root, ["tests/unit/test_a.py", "tests/unit/test_b.py"]) == ["tests/unit"]
    assert compress(root, ["tests/unit/test_a.py", "tests/e2e/deep/test_d.py"]) == [
        "tests/e2e/deep", "tests/unit/test_a.py"]
    everything = ["tests/unit/test_a.py", "tests/unit/test_b.py", "tests/e2e/test_c.py",
                  "tests/e2e/deep/test_d.py", "tests/test_top.py"]
    assert compress(root, everything) == ["tests"]
