"""The static dashboard: plain HTML pages and plotly charts, opened straight from disk.

plotly.js is written once beside the pages (`plotly.min.js`, from the installed plotly
package) and referenced relatively, so the dashboard needs no server and no network.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from testcanon.report.data import Dashboard

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1f2328}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0} td,th{border:1px solid #d0d7de;padding:.3rem .6rem}
th{background:#f6f8fa;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37} .bad{color:#cf222e;font-weight:600} .worse{color:#cf222e} .better{color:#1a7f37}
.charts{display:flex;flex-wrap:wrap;gap:1rem} .chart{width:420px;height:260px}
a{color:#0969da} code{font-size:.9em}
"""


def write_dashboard(dashboard: Dashboard, out: Path) -> list[Path]:
    """Write index.html, one page per rule and plotly.min.js into `out`; returns the pages."""
    import plotly.offline

    out.mkdir(parents=True, exist_ok=True)
    (out / "rules").mkdir(exist_ok=True)
    (out / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    pages = [out / "index.html"]
    pages[0].write_text(_index(dashboard), encoding="utf-8")
    root = Path(str(dashboard.snapshot.get("root", ".")))
    for code, findings in dashboard.findings_by_rule.items():
        page = out / "rules" / f"{code}.html"
        page.write_text(_rule_page(code, findings, root), encoding="utf-8")
        pages.append(page)
    (out / "audit.json").write_text(json.dumps(dashboard.snapshot.get("metrics", []), indent=2))
    return pages


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
        f"<p>Project <code>{html.escape(str(d.snapshot.get('root')))}</code>, commit "
        f"<code>{html.escape(str(d.snapshot.get('commit') or 'n/a'))[:12]}</code>, audited {created}.</p>",
        "<h2>Success metrics</h2>", table,
        "<h2>Trends</h2><div class=charts>", *charts, "</div>",
        "<h2>Worst folders</h2>", _bar_chart("folders", d.folders),
        "<h2>Findings by rule</h2><ul>",
        *[f"<li><a href=\"rules/{code}.html\">{code}</a>: {len(items):,}</li>"
          for code, items in d.findings_by_rule.items()],
        "</ul>",
        "<h2>Slowest tests (newest run)</h2>", _timing_table(d.slowest, ratio=False),
        "<h2>Most regressed tests</h2>", _timing_table(d.regressed, ratio=True),
    ]
    return _page("testcanon dashboard", "".join(body))


def _plot(div_id: str, data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    layout = {"margin": {"l": 40, "r": 10, "t": 30, "b": 40}, **layout}
    return (f"<div class=chart id=\"{div_id}\"></div><script>Plotly.newPlot("
            f"{json.dumps(div_id)},{json.dumps(data)},{json.dumps(layout)},"
            "{displayModeBar:false,responsive:true});</script>")


def _trend_chart(d: Dashboard, metric: dict[str, Any]) -> str:
    name = metric["metric"]
    points = [(a["run_id"], a["metrics"].get(name)) for a in d.audits]
    points = [(run, value) for run, value in points if value is not None]
    if not points:
        return (f"<div class=chart id=\"trend-{html.escape(name)}\"><p><b>{html.escape(metric['title'])}"
                f"</b><br>not measured yet</p></div>")
    data = [{"x": [f"#{run}" for run, _ in points], "y": [v for _, v in points],
             "type": "scatter", "mode": "lines+markers", "name": name}]
    target = metric["target"]
    if points:
        data.append({"x": [f"#{points[0][0]}", f"#{points[-1][0]}"], "y": [target, target],
                     "type": "scatter", "mode": "lines", "name": "target",
                     "line": {"dash": "dot", "color": "#1a7f37"}})
    return _plot(f"trend-{name}", data, {"title": {"text": metric["title"], "font": {"size": 13}},
                                          "showlegend": False, "xaxis": {"type": "category"}})


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


def _rule_page(code: str, findings: list[dict[str, Any]], root: Path) -> str:
    rows = "".join(
        f"<tr><td><a href=\"{html.escape((root / f['path']).as_uri())}#L{f['line']}\">"
        f"{html.escape(f['path'])}:{f['line']}</a></td><td>{html.escape(f['message'])}</td></tr>"
        for f in findings)
    body = (f"<p><a href=\"../index.html\">&larr; dashboard</a></p><h1>{code}</h1>"
            f"<p>{len(findings):,} finding(s). <code>canon rule {code}</code> explains the rule.</p>"
            f"<table class=findings><tr><th>location</th><th>message</th></tr>{rows}</table>")
    return _page(code, body, depth=1)
