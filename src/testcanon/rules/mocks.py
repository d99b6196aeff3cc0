"""CANON501: mocks in tests whose category needs real services."""

from __future__ import annotations

from collections.abc import Iterator

from testcanon.analysis.facts import FileFacts
from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Example, Rule


class MockInRealServiceTest(Rule):
    code = "CANON501"
    name = "mock-in-real-service-test"
    family = "real-services"
    summary = "A test in a real-service category uses a mock library"
    why = """
Integration and end-to-end tests exist to exercise the real services; a mock there tests the
mock, and the suite reports green while the real path is broken. Categories with
`real_services = true` (default: integration, e2e) must not import `unittest.mock`, `mock` or
`pytest_mock`, nor take the `mocker` fixture.

Which tests: a file in a real-service category by its path, or by a marker. When only markers
place it there, a mock imported or used inside a test class counts only if that class (its
decorators or methods) or the module (`pytestmark`) carries a real-service marker: a unit class
next to an `@pytest.mark.e2e` class in the same file may mock.
"""
    example = "# tests/integration/test_store.py\nfrom unittest import mock"
    use_instead = "# tests/integration/test_store.py: use the real store (canon run starts it)"
    fix = "Use the real service, or move the test to a unit category. No automatic fix."
    invalid = (
        Example({"tests/integration/test_m.py": "from unittest import mock\n\ndef test_x(mocker):\n"
                                                "    pass\n"},
                [("tests/integration/test_m.py", 1), ("tests/integration/test_m.py", 3)]),
    )
    valid = (
        Example({"tests/unit/test_m.py": "from unittest import mock\n"}),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    for relpath, facts in sorted(ctx.facts.items()):
        if not ctx.is_test_file(relpath):
            continue
        category = ctx.real_service_category(relpath)
        if category is None:
            continue
        sites = [(site, "mock library imported") for site in facts.mock_imports]
        sites += [(site, "`mocker` fixture used") for site in facts.mocker_uses]
        by_path = ctx.real_service_category_by_path(relpath) is not None
        for site, what in sites:
            if not by_path and not _marked_around(ctx, facts, category, site.line):
                continue
            yield Finding(
                code=MockInRealServiceTest.code, path=relpath, line=site.line, column=site.column,
                end_line=site.end_line, end_column=site.end_column, snippet=site.snippet,
                message=f"{what} in a '{category}' test, which needs real services",
                data={"category": category})


def _marked_around(ctx: RuleContext, facts: FileFacts, category: str, line: int) -> bool:
    """Whether the test class holding `line` (or the module, outside any class) carries a marker
    of `category`."""
    marks = ctx.category_markers(category)
    lines = [at for name, at in facts.marker_lines if name in marks]
    classes = [c for c in facts.classes if not c.nested and c.first_line <= line <= c.end_line]
    if not classes:
        return bool(lines)  # module level: the file's category, as before
    inside = [c for c in classes if any(c.first_line <= at <= c.end_line for at in lines)]
    in_no_class = [at for at in lines if not any(c.first_line <= at <= c.end_line
                                                 for c in facts.classes if not c.nested)]
    return bool(inside) or bool(in_no_class and _module_mark(facts))


def _module_mark(facts: FileFacts) -> bool:
    return "pytestmark" in facts.defined
