"""Definitions a script moved above the imports they use go back below them, and only those."""

from __future__ import annotations

import ast

from testcanon.repair.hoisted import lower_hoisted, undefined_name

CLASS = "@pytest.mark.e2e\nclass Connection:\n    def send(self):\n        return 1\n"
HEADER = '"""The module\'s docstring."""\nimport os\nimport pytest\n'


def test_the_name_of_a_name_error_is_read_from_a_collection_cause() -> None:
    assert undefined_name("E   NameError: name 'pytest' is not defined") == "pytest"
    assert undefined_name("ImportError: cannot import name 'x' from 'y'") is None


def test_a_class_above_the_docstring_moves_below_the_imports_unchanged() -> None:
    source = (CLASS + "\n" + HEADER + "\n\ndef test_it():\n    assert os.sep\n").encode()
    lowered = lower_hoisted("t.py", source, "pytest")
    assert lowered is not None
    new, lowering = lowered
    assert new.decode() == HEADER + "\n\n" + CLASS + "\n\ndef test_it():\n    assert os.sep\n"
    assert ast.get_docstring(ast.parse(new)) == "The module's docstring."
    assert lowering.names == ("Connection",) and lowering.below_line == 8


def test_an_import_a_script_put_first_stays_first() -> None:
    source = ("from a import b\n" + CLASS + "'''doc'''\nimport pytest\n").encode()
    new, _ = lower_hoisted("t.py", source, "pytest")  # type: ignore[misc]
    assert new.decode() == "from a import b\n'''doc'''\nimport pytest\n\n\n" + CLASS


def test_windows_line_endings_are_kept() -> None:
    source = (CLASS + "\n" + HEADER).replace("\n", "\r\n").encode()
    new, _ = lower_hoisted("t.py", source, "pytest")  # type: ignore[misc]
    assert b"\n" not in new.replace(b"\r\n", b"")
    assert new.startswith(b'"""The module') and new.endswith(b"return 1\r\n")


def test_annotations_and_defaults_count_as_used_when_defined() -> None:
    source = b"def helper(x: Dict = None) -> None:\n    pass\nfrom typing import Dict\n"
    assert lower_hoisted("t.py", source, "Dict") is not None
    source = b"def helper(x=DEFAULT):\n    pass\nfrom consts import DEFAULT\n"
    assert lower_hoisted("t.py", source, "DEFAULT") is not None


def test_nothing_moves_when_moving_would_not_answer_the_error() -> None:
    # the name is used only inside a function body: the NameError is raised elsewhere
    assert lower_hoisted("t.py", b"def f():\n    return pytest\nimport pytest\n", "pytest") is None
    # no import binds the name
    assert lower_hoisted("t.py", CLASS.encode() + b"import os\n", "pytest") is None
    # the definition already stands below the import
    assert lower_hoisted("t.py", (HEADER + CLASS).encode(), "pytest") is None
    # a file that does not compile
    assert lower_hoisted("t.py", b"def (:\nimport pytest\n", "pytest") is None


def test_nothing_moves_when_what_stays_above_uses_what_would_move() -> None:
    source = (CLASS + "try:\n    import pytest\nexcept ImportError:\n    pytest = Connection\n").encode()
    assert lower_hoisted("t.py", source, "pytest") is None


def test_an_import_in_the_main_block_binds_nothing_when_pytest_imports_the_module() -> None:
    source = (CLASS + 'if __name__ == "__main__":\n    import pytest\n    pytest.main([__file__])\n').encode()
    assert lower_hoisted("t.py", source, "pytest") is None
