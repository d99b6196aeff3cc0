"""Reading commented-out tests back as code: prefixes, ownership, what is not a test."""

from __future__ import annotations

from pathlib import Path

from canon_support import write_tree
from testcanon.config import load_project
from testcanon.rules.lost.naming import TestNaming, naming_for
from testcanon.rules.lost.placeholders import find_skipped_tests
from testcanon.rules.lost.tombstones import find_commented_tests


def ids(text: str, naming: TestNaming = TestNaming()) -> list[str]:
    return [t.test_id for t in find_commented_tests(text, naming=naming)]


def test_every_prefix_a_script_used() -> None:
    text = ("import pytest\n\n"
            "# def test_hash_space():\n#     assert 1\n\n"
            "#def test_bare():\n#    assert 1\n\n"
            "# REMOVED_SYNTAX_ERROR: async def test_marked():\n    # REMOVED_SYNTAX_ERROR: assert 1\n")
    assert ids(text) == ["test_hash_space", "test_bare", "test_marked"]


def test_flattened_methods_belong_to_the_commented_test_class_not_to_a_nested_helper() -> None:
    text = ("# REMOVED_SYNTAX_ERROR: class TestA:\n"
            "    # REMOVED_SYNTAX_ERROR: @pytest.fixture\n"
            "# REMOVED_SYNTAX_ERROR: def test_client(self):\n"
            "    # REMOVED_SYNTAX_ERROR: return 1\n"
            "# REMOVED_SYNTAX_ERROR: class Capture:\n"
            "# REMOVED_SYNTAX_ERROR: def __init__(self):\n"
            "    # REMOVED_SYNTAX_ERROR: pass\n"
            "# REMOVED_SYNTAX_ERROR: def test_real(self, test_client):\n"
            "    # REMOVED_SYNTAX_ERROR: assert test_client\n")
    assert ids(text) == ["TestA", "TestA::test_real"]  # the fixture named test_* is no test


def test_prose_a_live_copy_a_helper_class_and_a_nested_function_are_not_lost_tests() -> None:
    text = ("def test_live():\n    assert 1\n\n"
            "# def test_live():\n#     assert 0\n"
            "# We will def test_later once the API exists.\n"
            "# class TestHelper:\n#     def __init__(self):\n#         self.x = 1\n")
    assert ids(text) == []


def test_a_method_commented_inside_a_live_class_is_named_with_it() -> None:
    text = ("class TestLive:\n    def test_a(self):\n        assert 1\n\n"
            "    # def test_b(self):\n    #     assert 2\n")
    found = find_commented_tests(text)
    assert [t.test_id for t in found] == ["TestLive::test_b"]
    assert found[0].source == "def test_b(self):\n    assert 2\n"


def test_a_comment_a_later_script_wrote_into_the_block_stays_a_comment() -> None:
    text = ("# def test_x():\n#     value = 1\n# Mock: isolation note\n#     assert value == 1\n\n"
            "# Some prose after the test.\n")
    found = find_commented_tests(text)
    assert found[0].source == ("def test_x():\n    value = 1\n    # Mock: isolation note\n"
                               "    assert value == 1\n")


def test_whole_file_under_a_placeholder() -> None:
    text = ('import pytest\n\n\nclass TestPlaceholder:\n    def test_placeholder(self):\n'
            '        pytest.skip("File has syntax errors - needs manual fixing")\n\n\n'
            "# Original content (commented out due to syntax errors):\n"
            "# import os\n# class TestOld:\n#     def test_one(self):\n#         assert os.sep\n")
    found = find_commented_tests(text)
    assert [(t.test_id, t.under_placeholder) for t in found] == [("TestOld", True),
                                                                 ("TestOld::test_one", True)]
    import ast

    skipped = find_skipped_tests(ast.parse(text), has_tombstones=True)
    assert [(s.test_id, s.kind) for s in skipped] == [("TestPlaceholder::test_placeholder", "placeholder")]


def test_project_pytest_naming_decides_what_is_a_test(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"pyproject.toml": '[tool.pytest.ini_options]\n'
                                                   'python_classes = ["Test*", "*Tests"]\n'
                                                   'python_functions = ["check_*"]\n'})
    naming = naming_for(load_project(root))
    text = ("class ApiTests:\n    pass\n\n    # def check_api(self):\n    #     assert 1\n\n"
            "# def test_no():\n#     pass\n")
    assert ids(text, naming) == ["ApiTests::check_api"]


def test_conditional_skips_are_not_reported_and_needs_fix_patterns_are_configurable() -> None:
    import ast

    text = ("import sys, pytest\n\n"
            "@pytest.mark.skipif(sys.platform == 'win32', reason='broken on windows')\n"
            "def test_a():\n    assert 1\n\n"
            "def test_b():\n    if sys.platform == 'win32':\n        pytest.skip('broken, fix later')\n"
            "    assert 1\n\n"
            "@pytest.mark.skip(reason='waiting on vendor ticket 12')\ndef test_c():\n    assert 1\n")
    tree = ast.parse(text)
    assert find_skipped_tests(tree, has_tombstones=False) == []
    assert [s.test_id for s in find_skipped_tests(tree, has_tombstones=False,
                                                  needs_fix=[r"vendor ticket"])] == ["test_c"]
