"""The output of `canon check` in every format it accepts: text (findings grouped by rule,
counts, the inventories), the JSON document, JSON Lines, SARIF and GitHub annotations."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from testcanon.output.emitters import FindingsReport
from testcanon.output.formats import OutputFormat
from testcanon.rules.baseline import Comparison
from testcanon.rules.engine import CheckResult, rule_infos

if TYPE_CHECKING:
    from rich.console import Console


def render_check(handle: IO[str], output_format: OutputFormat, root: Path, result: CheckResult,
                 comparison: Comparison | None, *, quiet: bool = False, statistics: bool = False) -> None:
    """Write the report of a check of the project at `root` to `handle`."""
    from testcanon.output.location import repository_prefix

    report = FindingsReport("check", result.findings, rule_infos(), comparison,
                            repository_prefix(root))
    failing = report.failing
    if output_format is OutputFormat.json:
        handle.write(json.dumps(check_document(root, report, result)) + "\n")
    elif (emitter := output_format.emitter) is not None:
        emitter.write(handle, report)
    else:
        from testcanon.output.text import make_console, print_brief

        if quiet:
            print_brief(make_console(handle), failing, files=result.files,
                        baselined=len(comparison.unchanged) if comparison else 0)
        else:
            print_check(make_console(handle), result, comparison, statistics_only=statistics)


def check_document(root: Path, report: FindingsReport, result: CheckResult) -> dict[str, Any]:
    """`--format json`: the envelope, the metrics, the inventories and every finding."""
    from testcanon.output.envelope import baseline_counts, envelope

    return envelope(
        "check", root=str(root), path_prefix=report.path_prefix, metrics=result.metrics,
        statistics=result.statistics(), home_made_bases=[b.to_json() for b in result.home_made_bases],
        clusters=[c.to_json() for c in result.clusters],
        baseline=baseline_counts(report.comparison),
        findings=report.as_json())


def print_check(console: Console, result: CheckResult, comparison: Comparison | None, *,
                statistics_only: bool = False) -> None:
    """The text report: findings under a rule per code, then the tables and the summary lines
    (rich is imported only here: the machine formats do without it)."""
    from rich.markup import escape
    from rich.table import Table

    names = {info.code: info.summary for info in rule_infos()}
    shown = comparison.new if comparison is not None else result.findings
    if not statistics_only:
        groups = defaultdict(list)
        for finding in shown:
            groups[finding.code].append(finding)
        for code in sorted(groups):
            console.rule(f"[bold]{code}[/bold] {escape(names.get(code, ''))} ({len(groups[code])})",
                         align="left")
            for finding in groups[code]:
                console.print(f"{escape(finding.path)}:{finding.line}:{finding.column}: "
                              f"[bold red]{code}[/bold red] {escape(finding.message)}")
            console.print()
    table = Table(title="Findings per rule", title_justify="left", show_edge=False)
    table.add_column("code")
    table.add_column("rule")
    table.add_column("count", justify="right")
    for code, count in result.statistics().items():
        table.add_row(code, escape(names.get(code, "")), f"{count:,}")
    console.print(table)
    if result.home_made_bases:
        bases = Table(title="Home-made base classes", title_justify="left", show_edge=False)
        bases.add_column("base class")
        bases.add_column("defined at")
        bases.add_column("test classes", justify="right")
        for base in result.home_made_bases:
            bases.add_row(escape(base.qualified_name), escape(base.site), f"{base.test_classes:,}")
        console.print(bases)
    m = result.metrics
    bypass = m["runner_bypasses"]
    console.print(
        f"base-class variants {m['base_class_variants']} · runner bypasses {bypass['total']} "
        f"(python {bypass['python']}, shell {bypass['shell']}, ci_yaml {bypass['ci_yaml']}, "
        f"other {bypass['other']}) · env accesses {m['env_accesses']} · relative imports "
        f"{m['relative_imports']} · mocks in real-service tests {m['mocks_in_real_service_tests']} · "
        f"duplication clusters {m['orchestration_duplication_clusters']} · "
        f"syntax errors {m['syntax_errors']}"
    )
    if comparison is not None:
        console.print(f"baseline: [bold]{len(comparison.new)} new[/bold], {len(comparison.unchanged)} "
                      f"unchanged, {len(comparison.fixed)} fixed"
                      + (" (run `canon check --update-baseline` to shrink it)" if comparison.fixed else ""))
    status = "[bold red]" if shown else "[bold green]"
    console.print(f"{status}{len(shown):,} finding(s){' not in the baseline' if comparison else ''}[/] "
                  f"in {result.files:,} files ({result.elapsed:.2f}s)")
