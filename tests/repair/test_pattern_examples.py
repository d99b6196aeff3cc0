"""Every registered damage pattern's own examples: one test runs them all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from testcanon.analysis.inventory import names_in_broken
from testcanon.repair.local import repair_local
from testcanon.repair.patterns import REGISTRY, Site
from testcanon.syntax import check_source

CASES = [(known, index, broken, repaired)
         for known in REGISTRY for index, (broken, repaired) in enumerate(known.examples)]


@pytest.mark.parametrize(("known", "index", "broken", "repaired"), CASES,
                         ids=[f"{k.code}-{k.name}-{i}" for k, i, _, _ in CASES])
def test_pattern_example(known, index: int, broken: str, repaired: str) -> None:
    if known.before is not None and sys.version_info >= known.before:
        pytest.skip(f"valid Python from {known.before}: no damage to repair here")
    problem = check_source(broken.encode())
    assert problem is not None, "the BROKEN example compiles"
    assert known.applies(problem), f"{known.code} does not answer its own example's error: {problem.message}"
    lines = broken.splitlines()
    proposed = ["\n".join(edit.apply(lines)) + "\n" for edit in known.propose(Site(lines, problem))]
    assert repaired in proposed, f"{known.code}'s edits do not turn BROKEN into REPAIRED"
    after = check_source(repaired.encode())
    if known.first_step:  # the damage always needs a second edit: this one must move the first error on
        assert after is not None and (after.line, after.column) > (problem.line, problem.column)
    else:
        assert after is None, "the REPAIRED example does not compile"
    # the whole search repairs it too, every test kept
    result = repair_local(broken.encode(), rewrite_version_specific=True)
    assert result.fixed is not None, result.reason
    assert names_in_broken(broken) <= names_in_broken(result.fixed.decode())


def test_codes_and_ranks_are_unique_and_every_family_has_patterns() -> None:
    assert len({known.code for known in REGISTRY}) == len(REGISTRY)
    assert [known.rank for known in REGISTRY] == sorted({known.rank for known in REGISTRY})
    families = {"indentation", "blocks", "brackets", "strings", "docstrings", "script damage"}
    assert {known.family for known in REGISTRY} == families


def test_the_pattern_table_of_docs_fix_md_is_generated_and_in_sync() -> None:
    from testcanon.repair.patterns.docs import pattern_table, with_table

    page = (Path(__file__).resolve().parents[2] / "docs" / "fix.md").read_text(encoding="utf-8")
    assert page == with_table(page), "regenerate: python -m testcanon.repair.patterns.docs docs/fix.md"
    for known in REGISTRY:
        assert f"| {known.code} | {known.name} |" in pattern_table()
