"""`canon rule CODE`: what a rule checks, why, an example and the fix."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("rule")(rule_command)


def rule_command(
    code: Optional[str] = typer.Argument(None, help="Rule code, e.g. CANON101."),
    list_all: bool = typer.Option(False, "--all", help="List every rule."),
) -> None:
    """Explain a rule: what it does, why, an example, and how to fix it."""
    from testcanon.rules.docs import rule_text
    from testcanon.rules.engine import rule_infos

    if list_all or not code:
        for info in rule_infos():
            typer.echo(f"{info.code}  {info.name:<36} {info.summary}")
        return
    typer.echo(rule_text(code), nl=False)
