"""CANON501: mocks in tests whose category needs real services."""

from __future__ import annotations

from testcanon.findings import Finding
from testcanon.rules.context import Context
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
"""
    example = "# tests/integration/test_store.py\nfrom unittest import mock"
    use_instead = "# tests/integration/test_store.py: use the real store (canon run starts it)"
    fix = "Use the real service, or move the test to a unit category. No automatic fix."
    invalid = (
        Example({"tests/integration/test_m.py": "from unittest import mock\n\ndef test_x(mocker):\n    pass\n"},
                [("tests/integration/test_m.py", 1), ("tests/integration/test_m.py", 3)]),
    )
    valid = (
        Example({"tests/unit/test_m.py": "from unittest import mock\n"}),
    )


def check(ctx: Context) -> list[Finding]:
    findings = []
    for relpath, facts in sorted(ctx.facts.items()):
        if not ctx.is_test_file(relpath):
            continue
        category = ctx.real_service_category(relpath)
        if category is None:
            continue
        sites = [(site, "mock library imported") for site in facts["mock_imports"]]
        sites += [(site, "`mocker` fixture used") for site in facts["mocker_uses"]]
        for (line, col, end_line, end_col, snippet), what in sites:
            findings.append(Finding(
                code=MockInRealServiceTest.code, path=relpath, line=line, column=col,
                end_line=end_line, end_column=end_col, snippet=snippet,
                message=f"{what} in a '{category}' test, which needs real services",
                data={"category": category}))
    return findings
