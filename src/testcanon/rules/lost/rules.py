"""CANON701-703: tests a suite silently lost, one finding per lost test, naming it.

A file that compiles and collects can still have lost its tests: commented out by a bulk
"syntax fix" (CANON701), stood in for by a placeholder that only skips or passes (CANON702),
or switched off by an unconditional skip "until fixed" (CANON703). `canon fix --resurrect`
brings them back from history (docs/fix.md).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from testcanon.errors import ConfigError
from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.lost.naming import TestNaming, naming_for
from testcanon.rules.lost.placeholders import SkippedTest, find_skipped_tests
from testcanon.rules.lost.tombstones import CommentedTest, find_commented_tests
from testcanon.rules.model import Example, Rule

_SKIPPISH = re.compile(r"skip|xfail|\bpass\b")


class CommentedOutTest(Rule):
    code = "CANON701"
    name = "commented-out-test"
    family = "lost-tests"
    summary = "A test function or class exists only as commented-out code"
    why = """
A test turned into comments is gone: pytest collects nothing from it and every count
(`canon scan`, `canon collect`, `canon audit`) calls the file healthy. Bulk "syntax fixes"
commented out whole files this way (`# REMOVED_SYNTAX_ERROR: def test_...`, or the file's old
content as comments under a placeholder test). The comment is read back as code, whatever the
prefix: a definition counts only if its header parses, so prose about a test is not reported.
A commented copy of a test that is still defined is not reported either, nor what pytest
would not collect (a `@pytest.fixture` named `test_*`, a `Test*` class with an `__init__`).
Test names follow the project's pytest configuration (`python_functions`, `python_classes`).
"""
    example = """
class TestLogin:
    def test_ok(self):
        assert login("a", "b")

# REMOVED_SYNTAX_ERROR: def test_wrong_password(self):
    # REMOVED_SYNTAX_ERROR: assert not login("a", "x")
"""
    use_instead = """
class TestLogin:
    def test_ok(self):
        assert login("a", "b")

    def test_wrong_password(self):
        assert not login("a", "x")
"""
    fix = ("`canon fix --resurrect` restores it from the last version in git where it was live and the file "
           "compiled (with the imports, fixtures and helpers it needs), or from the comment itself when it "
           "parses and no version holds it.")
    invalid = (
        Example({"tests/test_login.py": "def test_ok():\n    assert True\n\n\n"
                 "# def test_gone():\n#     assert 1 + 1 == 2\n"}, [("tests/test_login.py", 5)]),
        Example({"tests/test_flat.py": "import pytest\n\n"
                 "# REMOVED_SYNTAX_ERROR: class TestFlat:\n"
                 "# REMOVED_SYNTAX_ERROR: def test_one(self):\n"
                 "    # REMOVED_SYNTAX_ERROR: assert 1\n"},
                [("tests/test_flat.py", 3), ("tests/test_flat.py", 4)]),
    )
    valid = (
        Example({"tests/test_prose.py": "# We should define a test for this later.\n"
                 "# def helper(): not a test\ndef test_ok():\n    assert True\n"}),
        Example({"tests/test_copy.py": "def test_kept():\n    assert True\n\n"
                                       "# def test_kept():\n#     assert 0\n"}),
    )


class PlaceholderTest(Rule):
    code = "CANON702"
    name = "placeholder-test"
    family = "lost-tests"
    summary = "A test whose body only skips, passes or xfails stands in for lost tests"
    why = """
A placeholder keeps a broken file importable and collecting, so nothing reports it, while
the tests it replaced are gone. It is reported only with evidence: commented-out tests in the
same file, or a skip/xfail reason that says the file is broken ("syntax errors", "needs manual
fixing"). A stub test on its own is left alone.
"""
    example = """
@pytest.mark.skip(reason="File has syntax errors - needs manual fixing")
class TestPlaceholder:
    def test_placeholder(self):
        pass
"""
    use_instead = "The tests the file held, restored (`canon fix --resurrect`)."
    fix = ("`canon fix --resurrect` replaces the placeholder by the tests it stood in for: the "
           "commented\ncopies below it, or, when the script kept no comment (a placeholder-only file), the "
           "tests live in\nthe newest compiling version of the file in git that today's file lacks. Tests "
           "added to the file\nafter the placeholder stay.")
    invalid = (
        Example({"tests/test_ph.py": "import pytest\n\n\nclass TestPlaceholder:\n"
                 "    def test_placeholder(self):\n"
                 "        pytest.skip(\"File has syntax errors - needs manual fixing\")\n"},
                [("tests/test_ph.py", 5)]),
        Example({"tests/test_next.py": "def test_stub():\n    pass\n\n# def test_real():\n#     assert 1\n"},
                [("tests/test_next.py", 1)]),
    )
    valid = (
        Example({"tests/test_stub.py": "def test_later():\n    pass\n"}),
    )


class SkippedUntilFixed(Rule):
    code = "CANON703"
    name = "test-skipped-until-fixed"
    family = "lost-tests"
    summary = "A test is disabled by an unconditional skip whose reason says it needs fixing"
    why = """
An unconditional skip "until fixed" is a lost test with a note: it never runs, nobody is
reminded, and the reason ages. Platform or environment skips (`skipif(sys.platform == ...)`,
a skip inside an `if`) are legitimate and never reported. Which reasons mean "needs fixing" is
configurable: `[tool.testcanon.check] needs_fix_reasons` (regular expressions, case-insensitive).
"""
    example = """
@pytest.mark.skip(reason="broken since the auth refactor, fix later")
def test_refresh_token():
    ...
"""
    use_instead = """
def test_refresh_token():
    ...  # fixed; or deleted, with the reason in the commit
"""
    fix = "Fix the test and remove the skip, or delete it deliberately; `canon check` keeps the list."
    invalid = (
        Example({"tests/test_skip.py": "import pytest\n\n\n@pytest.mark.skip(reason=\"Will pass after "
                                       "issue #408 is fixed\")\n"
                 "def test_a():\n    assert 1\n"}, [("tests/test_skip.py", 5)]),
        Example({"tests/test_body.py": "import pytest\n\n\ndef test_b():\n"
                 "    pytest.skip(\"TODO: re-enable when the API is back\")\n    assert 1\n"},
                [("tests/test_body.py", 4)]),
    )
    valid = (
        Example({"tests/test_platform.py": "import sys\nimport pytest\n\n\n"
                 "@pytest.mark.skipif(sys.platform == 'win32', reason='fix for windows later')\n"
                 "def test_a():\n    assert 1\n\n\n@pytest.mark.skip(reason='Requires browser automation "
                 "setup')\ndef test_b():\n    assert 1\n"}),
    )


@dataclass(frozen=True)
class FileLoss:
    """Everything lost in one file: the commented tests and the skipped ones."""

    commented: tuple[CommentedTest, ...]
    skipped: tuple[SkippedTest, ...]


def lost_in_text(text: str, *, naming: TestNaming, needs_fix: list[str] | tuple[str, ...]) -> FileLoss | None:
    """The lost tests of one compiling file (None when it does not parse)."""
    if not _SKIPPISH.search(text) and "#" not in text:
        return FileLoss((), ())
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    commented = find_commented_tests(text, tree, naming=naming)
    skipped = find_skipped_tests(tree, has_tombstones=bool(commented), needs_fix=needs_fix, naming=naming) \
        if _SKIPPISH.search(text) else []
    return FileLoss(tuple(commented), tuple(skipped))


def needs_fix_patterns(ctx_or_patterns: RuleContext | list[str]) -> list[str]:
    patterns = (ctx_or_patterns.project.config.check.needs_fix_reasons
                if isinstance(ctx_or_patterns, RuleContext)
                else ctx_or_patterns)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ConfigError(f"[tool.testcanon.check] needs_fix_reasons: {pattern!r} is not a regular "
                              f"expression ({error})") from None
    return list(patterns)


def check(ctx: RuleContext) -> list[Finding]:
    naming = naming_for(ctx.project)
    needs_fix = needs_fix_patterns(ctx)
    findings: list[Finding] = []
    for relpath in sorted(ctx.facts):
        if not ctx.is_test_file(relpath):
            continue
        try:
            text = (ctx.project.root / relpath).read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        loss = lost_in_text(text, naming=naming, needs_fix=needs_fix)
        if loss is None:
            continue
        lines = text.splitlines()
        for test in loss.commented:
            where = " under a placeholder" if test.under_placeholder else ""
            findings.append(Finding(
                code=CommentedOutTest.code, path=relpath, line=test.line, end_line=test.end_line,
                snippet=lines[test.line - 1].strip() if test.line <= len(lines) else test.test_id,
                message=f"test `{test.test_id}` exists only as commented-out code{where}",
                data=test.to_json()))
        for test in loss.skipped:
            rule = PlaceholderTest if test.kind == "placeholder" else SkippedUntilFixed
            message = (f"placeholder test `{test.test_id}` stands in for lost tests"
                       if test.kind == "placeholder" else
                       f"test `{test.test_id}` is skipped unconditionally until fixed: {test.reason!r}")
            findings.append(Finding(
                code=rule.code, path=relpath, line=test.line, end_line=test.end_line,
                snippet=f"{test.test_id}: {test.reason}", message=message, data=test.to_json()))
    return findings
