from __future__ import annotations

from testcanon.runner.paths import compress

COLLECTED = ["tests/unit/test_a.py", "tests/unit/test_b.py", "tests/e2e/test_c.py",
             "tests/e2e/deep/test_d.py", "tests/test_top.py"]


def test_whole_folders_are_passed_as_folders() -> None:
    assert compress(["tests/unit/test_a.py", "tests/unit/test_b.py"], COLLECTED) == ["tests/unit"]
    assert compress(["tests/unit/test_a.py", "tests/e2e/deep/test_d.py"], COLLECTED) == [
        "tests/e2e/deep", "tests/unit/test_a.py"]
    assert compress(COLLECTED, COLLECTED) == ["tests"]


def test_a_folder_outside_the_invocation_roots_is_never_passed() -> None:
    """testpaths = tests/unit: passing `tests` would also collect tests/e2e."""
    unit = ["tests/unit/test_a.py", "tests/unit/test_b.py"]
    assert compress(unit, unit, roots=["tests/unit"]) == ["tests/unit"]
    assert compress(unit, unit, roots=["tests/unit/test_a.py", "tests/unit/test_b.py"]) == sorted(unit)
