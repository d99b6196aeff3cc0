"""A rule: a stable code, its documentation (like ruff's), and its own examples.

Adding a rule is one module (see `rules/init_test_class.py`): a `Rule` class with `code`, `name`,
`summary`, `why`, `example`, `use_instead`, `fix`, and `valid` / `invalid` example files, beside
`check(ctx: RuleContext) -> Iterable[Finding]` (the facts it reads come from `testcanon.analysis`);
`rules/registry.py` finds it, nothing to register. `tests/rules/test_rule_examples.py` runs every
rule's examples;
`canon rule CODE` and docs/rules/CODE.md (`python -m testcanon.rules.docs`) render the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from testcanon.__about__ import DOCS_URI
from testcanon.findings import RuleInfo


@dataclass(frozen=True)
class Example:
    """A small repository (path -> text) and the findings a rule must report in it."""

    files: dict[str, str]
    expect: list[tuple[str, int]] = field(default_factory=list)  # (path, line) per finding
    config: str = ""


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    summary: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    use_instead: ClassVar[str]
    fix: ClassVar[str]
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()

    @classmethod
    def info(cls) -> RuleInfo:
        return RuleInfo(cls.code, cls.name, cls.summary, cls.family,
                        help_uri=f"{DOCS_URI}/rules/{cls.code}.md")

    @classmethod
    def document(cls) -> str:
        return (f"# {cls.code}: {cls.name}\n\n{cls.summary}\n\nFamily: {cls.family}\n\n"
                f"## What it does\n\n{cls.summary}\n\n## Why is this bad?\n\n{cls.why.strip()}\n\n"
                f"## Example\n\n```\n{cls.example.strip()}\n```\n\n"
                f"## Use instead\n\n```\n{cls.use_instead.strip()}\n```\n\n"
                f"## Fix\n\n{cls.fix.strip()}\n")
