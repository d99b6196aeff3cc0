"""The static dashboard: plain HTML pages and plotly charts, opened straight from disk.

plotly.js is written once per report directory (`plotly.min.js`, from the installed plotly
package; rewritten only when that version changes) and referenced relatively, so the dashboard
needs no server and no network. Every link is relative or, for sources, to the audited commit
on GitHub when the `origin` remote is there: the folder can be published as a CI artifact.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from pathlib import Path
from typing import Any

from testcanon.report.data import NOISE_FLOOR_S, Dashboard, LatestRun

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1f2328}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #d0d7de;padding:.3rem .6rem}
th{background:#f6f8fa;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37} .bad{color:#cf222e;font-weight:600} .worse{color:#cf222e} .better{color:#1a7f37}
.charts{display:flex;flex-wrap:wrap;gap:1rem} .chart{width:420px;height:260px}
a{color:#0969da} code{font-size:.9em}
details.message summary{color:#57606a;cursor:pointer} details.message pre{max-width:90ch;overflow-x:auto;
background:#f6f8fa;padding:.5rem;font-size:.8em}
"""


def write_dashboard(dashboard: Dashboard, out: Path) -> list[Path]:
    """Write index.html, one page per rule and plotly.min.js into `out`; returns the pages."""
    import plotly.offline

    out.mkdir(parents=True, exist_ok=True)
    (out / "rules").mkdir(exist_ok=True)
    _write_plotly(out / "plotly.min.js", plotly.offline.get_plotlyjs)
    pages = [out / "index.html"]
    pages[0].write_text(_index(dashboard), encoding="utf-8")
    root = Path(str(dashboard.snapshot.get("root", ".")))
    for code, findings in dashboard.findings_by_rule.items():
        page = out / "rules" / f"{code}.html"
        links = _source_links(findings, root, page.parent, dashboard.source_url)
        page.write_text(_rule_page(code, findings, links), encoding="utf-8")
        pages.append(page)
    (out / "audit.json").write_text(json.dumps(dashboard.snapshot.get("metrics", []), indent=2))
    return pages


_PLOTLY_VERSION = re.compile(rb"plotly\.js v([\w.-]+)")


def _write_plotly(path: Path, bundle) -> bool:
    """Write the 4.8 MB bundle unless the same plotly.js version is already there."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        head = b""
    text = bundle()
    wanted = _PLOTLY_VERSION.search(text[:512].encode())
    present = _PLOTLY_VERSION.search(head)
    if wanted and present and wanted.group(1) == present.group(1):
        return False
    path.write_text(text, encoding="utf-8")
    return True


def _page(title: str, body: str, *, depth: int = 0) -> str:
    prefix = "../" * depth
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
            f"</title><style>{_CSS}</style><script src=\"{prefix}plotly.min.js\"></script>"
            f"</head><body>{body}</body></html>")


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    number = float(value)
    text = f"{number:,.1f}" if unit == "%" or number != int(number) else f"{int(number):,}"
    return text + unit


def _index(d: Dashboard) -> str:
    metrics = d.snapshot.get("metrics", [])
    created = dt.datetime.fromtimestamp(float(d.snapshot.get("created", 0))).isoformat(" ", "seconds")
    rows = []
    for m in metrics:
        current = m["current"]
        ok = current is not None and (current <= m["target"] if m["better"] == "lower"
                                      else current >= m["target"])
        css = "ok" if ok else ("bad" if current is not None else "")
        rows.append(
            f"<tr data-metric=\"{html.escape(m['metric'])}\"><td>{html.escape(m['title'])}</td>"
            f"<td class='num {css}' data-value=\"{'' if current is None else current}\">"
            f"{_fmt(current, m['unit'])}</td><td class=num>{_fmt(m['target'], m['unit'])}</td>"
            f"<td class=num>{_fmt(m['previous'], m['unit'])}</td>"
            f"<td class='{m['trend']}'>{html.escape(m['trend'])}</td></tr>")
    table = ("<table id=metrics><tr><th>metric</th><th>current</th><th>target</th>"
             "<th>previous</th><th>trend</th></tr>" + "".join(rows) + "</table>")
    charts = [_trend_chart(d, m) for m in metrics]
    body = [
        "<h1>testcanon dashboard</h1>",
        f"<p>Project <code>{html.escape(Path(str(d.snapshot.get('root'))).name)}</code>, commit "
        f"<code>{html.escape(str(d.snapshot.get('commit') or 'n/a'))[:12]}</code>, audited {created}.</p>",
        "<h2>Success metrics</h2>", table,
        "<h2>Trends</h2><div class=charts>", *charts, "</div>",
        "<h2>Worst folders</h2>", _bar_chart("folders", d.folders),
        "<h2>Findings by rule</h2><ul>",
        *[f"<li><a href=\"rules/{code}.html\">{code}</a>: {len(items):,}</li>"
          for code, items in d.findings_by_rule.items()],
        "</ul>",
        "<h2>Latest test run</h2>", _latest_run(d.latest_run),
        "<h2>Slowest tests (newest run)</h2>", _timing_table(d.slowest, ratio=False),
        "<h2>Most regressed tests</h2>", _timing_table(d.regressed, ratio=True),
        f"<p>Slower by at least {NOISE_FLOOR_S * 1000:.0f} ms and 1.2x: below that, timer noise.</p>",
    ]
    return _page("testcanon dashboard", "".join(body))


def _plot(div_id: str, data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    layout = {"margin": {"l": 40, "r": 10, "t": 30, "b": 40}, **layout}
    return (f"<div class=chart id=\"{div_id}\"></div><script>Plotly.newPlot("
            f"{json.dumps(div_id)},{json.dumps(data)},{json.dumps(layout)},"
            "{displayModeBar:false,responsive:true});</script>")


def _trend_chart(d: Dashboard, metric: dict[str, Any]) -> str:
    name = metric["metric"]
    points = [(_audit_label(a), a["metrics"].get(name)) for a in d.audits]
    points = [(label, value) for label, value in points if value is not None]
    if not points:
        return (f"<div class=chart id=\"trend-{html.escape(name)}\"><p><b>{html.escape(metric['title'])}"
                f"</b><br>not measured yet</p></div>")
    data = [{"x": [label for label, _ in points], "y": [v for _, v in points],
             "type": "scatter", "mode": "lines+markers", "name": name}]
    target = metric["target"]
    if points:
        data.append({"x": [points[0][0], points[-1][0]], "y": [target, target],
                     "type": "scatter", "mode": "lines", "name": "target",
                     "line": {"dash": "dot", "color": "#1a7f37"}})
    return _plot(f"trend-{name}", data, {"title": {"text": metric["title"], "font": {"size": 13}},
                                          "showlegend": False, "xaxis": {"type": "category"}})


def _audit_label(audit: dict[str, Any]) -> str:
    """`2026-12-01 16:40 ab12cd3`: when the audit ran and at which commit (its id if neither)."""
    when = (dt.datetime.fromtimestamp(float(audit["created"])).strftime("%Y-%m-%d %H:%M")
            if audit.get("created") else f"#{audit['run_id']}")
    commit = str(audit.get("commit") or "")[:7]
    return f"{when} {commit}".strip() + (f" #{audit['run_id']}" if audit.get("created") else "")


def _latest_run(run: LatestRun | None) -> str:
    if run is None:
        return "<p>No test run recorded yet (<code>canon run</code> records them).</p>"
    when = dt.datetime.fromtimestamp(run.started).isoformat(" ", "seconds")
    counts = ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(run.outcomes.items()))
    head = (f"<p id=latest-run>Run of {when} at commit <code>{html.escape(str(run.commit or 'n/a'))[:12]}"
            f"</code>: {html.escape(counts) or 'no tests'} (exit {run.exit_code}).</p>")
    if not run.problems:
        return head
    rows = "".join(f"<tr><td class={'bad' if outcome == 'failed' else 'worse'}>{html.escape(outcome)}</td>"
                   f"<td><code>{html.escape(nodeid)}</code>{_message(message)}</td></tr>"
                   for outcome, nodeid, message in run.problems)
    return (head + "<table id=problems><tr><th>outcome</th><th>test (a collection error names the file) "
            f"and its message</th></tr>{rows}</table>")


def _message(message: str) -> str:
    """The error's last line in view, the recorded report behind a click."""
    if not message:
        return ""
    lines = [line for line in message.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    summary = (errors[-1][1:].strip() if errors else lines[-1].strip())[:300]
    return (f"<details class=message><summary>{html.escape(summary)}</summary>"
            f"<pre>{html.escape(message)}</pre></details>")


def _bar_chart(div_id: str, counts: list[tuple[str, int]]) -> str:
    data = [{"x": [c for _, c in counts][::-1], "y": [f for f, _ in counts][::-1],
             "type": "bar", "orientation": "h"}]
    return _plot(div_id, data, {"height": max(260, 22 * len(counts)), "width": 800,
                                "margin": {"l": 260, "r": 10, "t": 10, "b": 30}})


def _timing_table(timings, *, ratio: bool) -> str:
    if not timings:
        return "<p>No test runs recorded yet (<code>canon run</code> records them).</p>"
    head = "<tr><th>test</th><th>seconds</th>" + ("<th>before</th><th>ratio</th>" if ratio else "") + "</tr>"
    rows = "".join(
        f"<tr><td><code>{html.escape(t.nodeid)}</code></td><td class=num>{t.seconds:.3f}</td>"
        + (f"<td class=num>{t.baseline:.3f}</td><td class=num>{t.ratio:.2f}x</td>" if ratio else "")
        + "</tr>" for t in timings)
    return f"<table>{head}{rows}</table>"


def _source_links(findings: list[dict[str, Any]], root: Path, page_dir: Path,
                  source_url: str | None) -> list[str]:
    """A link per finding: the audited commit on GitHub, else a path relative to the page."""
    links = []
    for finding in findings:
        if source_url:
            links.append(f"{source_url}{finding['path']}#L{finding['line']}")
        else:
            relative = Path(os.path.relpath(root / finding["path"], page_dir)).as_posix()
            links.append(f"{relative}#L{finding['line']}")
    return links


def _rule_page(code: str, findings: list[dict[str, Any]], links: list[str]) -> str:
    rows = "".join(
        f"<tr><td><a href=\"{html.escape(link)}\">{html.escape(f['path'])}:{f['line']}</a></td>"
        f"<td>{html.escape(f['message'])}</td></tr>"
        for f, link in zip(findings, links, strict=True))
    body = (f"<p><a href=\"../index.html\">&larr; dashboard</a></p><h1>{code}</h1>"
            f"<p>{len(findings):,} finding(s).</p>"
            f"<table class=findings><tr><th>location</th><th>message</th></tr>{rows}</table>"
            f"<div class=rule-doc>{_rule_doc(code)}</div>")
    return _page(code, body, depth=1)


def _rule_doc(code: str) -> str:
    """The rule's documentation (what `canon rule CODE` prints) as simple HTML."""
    from testcanon.errors import CanonError
    from testcanon.rules.docs import rule_text

    try:
        text = rule_text(code)
    except CanonError:
        return ""
    parts, in_code, block = [], False, []
    for line in text.splitlines():
        if line.startswith("```"):
            if in_code:
                parts.append(f"<pre><code>{html.escape(chr(10).join(block))}</code></pre>")
                block = []
            in_code = not in_code
        elif in_code:
            block.append(line)
        elif line.startswith("## "):
            parts.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            parts.append(f"<h2>{html.escape(line[2:])}</h2>")
        elif line.strip():
            inline = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(line))
            parts.append(f"<p>{inline}</p>")
    return "".join(parts)
