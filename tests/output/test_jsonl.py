"""`--format jsonl`: one finding per line, each exactly the object the JSON document of `canon
check` lists, baseline state included; the format is one module of `output/emitters/`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from canon_support import one_line, run_canon, write_tree
from testcanon.output.formats import FINDINGS, TEXT_OR_JSON, OutputFormat, format_option

TREE = {
    "pyproject.toml": "[tool.testcanon]\n",
    "tests/test_env.py": "import os\n\n\ndef test_a():\n    assert os.getenv('A') is None\n",
    "tests/test_more.py": "import os\n\n\ndef test_b():\n    os.environ['B'] = '1'\n",
}


def test_jsonl_lines_are_the_json_findings(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", TREE)
    lines = run_canon("check", "--format", "jsonl", cwd=repo)
    document = run_canon("check", "--format", "json", cwd=repo)
    assert lines.returncode == document.returncode == 1
    assert lines.stdout.endswith("\n") and len(lines.stdout.splitlines()) == 2
    assert [json.loads(line) for line in lines.stdout.splitlines()] == json.loads(document.stdout)["findings"]


def test_jsonl_carries_the_baseline_state(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", TREE)
    assert run_canon("check", "--write-baseline", cwd=repo).returncode == 0
    (repo / "tests" / "test_new.py").write_text("import os\n\n\ndef test_c():\n    os.environ['C'] = '1'\n")
    result = run_canon("check", "--format", "jsonl", cwd=repo)
    assert result.returncode == 1  # the new finding fails, as in every other format
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    states = {finding["path"]: finding["baseline_state"] for finding in findings}
    assert states == {"tests/test_env.py": "unchanged", "tests/test_more.py": "unchanged",
                      "tests/test_new.py": "new"}


def test_no_findings_no_lines(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n",
                                          "tests/test_ok.py": "def test_a():\n    assert True\n"})
    for command in ("check", "scan"):
        result = run_canon(command, "--format", "jsonl", cwd=repo)
        assert (result.returncode, result.stdout) == (0, "")


def test_scan_lines_are_its_findings(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {**TREE, "tests/test_broken.py": "def test_a(:\n    pass\n"})
    result = run_canon("scan", "--format", "jsonl", cwd=repo)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    finding = json.loads(line)
    assert finding["path"] == "tests/test_broken.py" and finding["code"].startswith("CANON00")


def test_format_option_accepts_only_its_subset() -> None:
    app = typer.Typer()
    seen: list[OutputFormat] = []

    @app.command()
    def command(output_format: OutputFormat = format_option(TEXT_OR_JSON)) -> None:
        seen.append(output_format)

    runner = CliRunner()
    assert runner.invoke(app, ["--format", "json"]).exit_code == 0
    assert runner.invoke(app, []).exit_code == 0
    assert runner.invoke(app, ["--output-format", "json"]).exit_code == 0  # ruff's name for it
    refused = runner.invoke(app, ["--format", "jsonl"])
    assert refused.exit_code == 2 and "'jsonl' is not one of 'text', 'json'" in one_line(refused.output)
    assert seen == [OutputFormat.json, OutputFormat.text, OutputFormat.json]
    assert OutputFormat("jsonl") in FINDINGS and OutputFormat("jsonl") not in TEXT_OR_JSON
