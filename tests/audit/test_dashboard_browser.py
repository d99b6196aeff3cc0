"""The dashboard in a real browser: numbers equal the audit's JSON, every chart renders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium on this machine (make test installs Debian's chromium when it can)",
)


@pytest.fixture
def dashboard(tmp_path: Path) -> tuple[Path, dict]:
    repo = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_a.py": "def test_a(:\n",
        "tests/test_b.py": "def test_b():\n    pass\n",
    })
    run_canon("audit", cwd=repo)
    (repo / "tests" / "test_b.py").write_text("x = (\n")
    audit = json.loads(run_canon("audit", "--format", "json", cwd=repo).stdout)
    result = run_canon("report", "--html", str(tmp_path / "out"), cwd=repo)
    assert result.returncode == 0, result.stderr
    return tmp_path / "out", audit


def test_table_matches_the_json_audit_and_charts_render(dashboard) -> None:
    out, audit = dashboard
    errors: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((out / "index.html").as_uri())
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0")

        shown = {
            row.get_attribute("data-metric"): row.query_selector("td.num").get_attribute("data-value")
            for row in page.query_selector_all("#metrics tr[data-metric]")
        }
        expected = {m["metric"]: m["current"] for m in audit["metrics"]}
        assert shown.keys() == expected.keys()
        for name, value in expected.items():
            assert (float(shown[name]) if shown[name] else None) == value, name

        measured = [m for m in audit["metrics"] if m["current"] is not None]
        for metric in measured:
            svg = page.query_selector(f"#trend-{metric['metric']} svg.main-svg")
            assert svg is not None, f"chart of {metric['metric']} did not render"
        assert page.query_selector("#folders svg.main-svg") is not None

        page.click("text=CANON001")
        assert "tests/test_a.py:1" in page.inner_text("table.findings")
        browser.close()
    assert errors == []
