"""The success-metrics table as text (rich), markdown (for issues and PR comments) or JSON."""

from __future__ import annotations

from testcanon.audit.audit import Audit, MetricRow
from testcanon.audit.metrics import meets_target

_ARROWS = {"better": "▲ better", "worse": "▼ worse", "same": "= same", "new": "new", "n/a": "n/a"}


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.1f}" if unit == "%" or value != int(value) else f"{int(value):,}"
    return f"{text}{unit}"


def row_cells(row: MetricRow) -> tuple[str, str, str, str, str]:
    unit = row.spec.unit
    target = ("≤ " if row.spec.better == "lower" else "≥ ") + fmt(row.spec.target, unit)
    return (row.spec.title, fmt(row.current, unit), target, fmt(row.previous, unit),
            _ARROWS[row.trend])


def to_markdown(audit: Audit, *, title: str = "testcanon audit") -> str:
    lines = [f"### {title}", "",
             f"commit `{(audit.commit or 'n/a')[:12]}`" + (f" on `{audit.branch}`" if audit.branch else ""),
             "", "| metric | current | target | previous | trend |", "|---|---:|---:|---:|---|"]
    for row in audit.rows:
        cells = list(row_cells(row))
        if row.current is not None and not meets_target(row.spec, row.current):
            cells[1] = f"**{cells[1]}**"
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- `{row.spec.name}`: {row.note}" for row in audit.rows if row.note]
    if notes:
        lines += ["", "Not measured:", *notes]
    lines += ["", "Definitions: `canon audit --explain METRIC` (docs/metrics.md)."]
    return "\n".join(lines) + "\n"


def print_text(console, audit: Audit) -> None:
    from rich.table import Table

    table = Table(title="Success metrics", title_justify="left")
    for header, justify in (("metric", "left"), ("current", "right"), ("target", "right"),
                            ("previous", "right"), ("trend", "left")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in audit.rows:
        cells = list(row_cells(row))
        if row.current is not None:
            style = "green" if meets_target(row.spec, row.current) else "red"
            cells[1] = f"[{style}]{cells[1]}[/]"
        trend_style = {"better": "green", "worse": "bold red"}.get(row.trend)
        if trend_style:
            cells[4] = f"[{trend_style}]{cells[4]}[/]"
        table.add_row(*cells)
    console.print(table)
    for row in audit.rows:
        if row.note:
            console.print(f"[dim]{row.spec.name}: not measured: {row.note}[/dim]")
