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


def test_a_rule_in_a_new_module_is_found_without_being_registered(tmp_path, monkeypatch) -> None:
    """Adding a rule is one file: the registry finds every module with a `class X(Rule):`."""
    from testcanon.rules.registry import rule_modules

    package = tmp_path / "extra_rules"
    (package / "family").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "family" / "__init__.py").write_text("")
    (package / "family" / "shouting.py").write_text(
        "from testcanon.rules.model import Rule\n\n\nclass ShoutingTest(Rule):\n    code = 'CANON999'\n\n\n"
        "def check(ctx):\n    return []\n")
    (package / "helpers.py").write_text("VALUE = 1\n")  # no rule: never imported
    monkeypatch.syspath_prepend(str(tmp_path))
    [module] = rule_modules(package, "extra_rules")
    assert module.__name__ == "extra_rules.family.shouting" and module.ShoutingTest.code == "CANON999"
