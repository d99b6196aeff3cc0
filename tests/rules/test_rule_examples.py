"""Every rule's own VALID and INVALID examples (Fixit-style): one test runs them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree
from testcanon.config import load_project
from testcanon.rules import check_project
from testcanon.rules.registry import ALL_RULES

CASES = [(rule, kind, index, example)
         for rule in ALL_RULES
         for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid))
         for index, example in enumerate(examples)]


@pytest.mark.parametrize(("rule", "kind", "index", "example"), CASES,
                         ids=[f"{r.code}-{k}-{i}" for r, k, i, _ in CASES])
def test_rule_example(tmp_path: Path, rule, kind, index, example) -> None:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": example.config or "[tool.testcanon]\n",
                                          **example.files})
    result = check_project(load_project(root), use_cache=False)
    found = sorted((f.path, f.line) for f in result.findings if f.code == rule.code)
    assert found == sorted(example.expect)


def test_every_rule_has_examples_of_both_kinds_or_explains_why() -> None:
    for rule in ALL_RULES:
        assert rule.invalid or rule.code == "CANON603", f"{rule.code} has no INVALID example"


def test_rule_docs_are_generated_and_in_sync() -> None:
    from testcanon.rules.docs import rule_text

    docs = Path(__file__).resolve().parents[2] / "docs" / "rules"
    for rule in ALL_RULES:
        page = docs / f"{rule.code}.md"
        assert page.read_text() == rule_text(rule.code), "regenerate: python -m testcanon.rules.docs"
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix"):
            assert heading in page.read_text()
