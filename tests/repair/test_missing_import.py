"""A name the module imports only where it does not run on import is imported at module level."""

from __future__ import annotations

from testcanon.repair.missing_import import add_missing_import

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
