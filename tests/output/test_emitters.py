"""The findings formats are the modules of `output/emitters/`: each is a `--format` value of
`canon check` and `canon scan`, found by its file name, and nothing else is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import one_line, run_canon, write_tree
from testcanon.output import emitters
from testcanon.output.formats import FINDINGS, OutputFormat

TREE = {
    "pyproject.toml": "[tool.testcanon]\n",
    "tests/test_env.py": "import os\n\n\ndef test_a():\n    os.environ['A'] = '1'\n",
    "tests/test_broken.py": "def test_b(:\n    pass\n",
}


def test_every_module_is_a_format_and_the_set_is_closed() -> None:
    folder = Path(emitters.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    assert list(emitters.emitter_names()) == modules
    assert set(modules) >= {"sarif", "github", "jsonl", "gitlab"}
    assert [f for f in FINDINGS if f.emitter is not None] == [OutputFormat(name) for name in modules]
    assert OutputFormat.text.emitter is None and OutputFormat("sarif") is OutputFormat("sarif")
    with pytest.raises(ValueError, match="not an output format"):
        OutputFormat("yaml")


def test_each_format_says_what_it_is_in_its_docstring() -> None:
    for name in emitters.emitter_names():
        doc = emitters.emitter(name).__doc__ or ""
        assert doc.strip().splitlines()[0].endswith("."), name  # a first line that is a sentence


@pytest.mark.parametrize("name", emitters.emitter_names())
def test_every_format_renders_check_and_scan(tmp_path: Path, name: str) -> None:
    repo = write_tree(tmp_path / "repo", TREE)
    for command, code in (("check", "CANON301"), ("scan", "CANON001")):
        result = run_canon(command, "--format", name, cwd=repo)
        assert result.returncode == 1, result.stderr
        assert code in result.stdout and result.stderr.strip() == ""


def test_a_format_a_command_does_not_render_is_a_usage_error(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", TREE)
    result = run_canon("fix", "--dry-run", "--format", "gitlab", cwd=repo)
    assert result.returncode == 2 and "'gitlab' is not one of 'text', 'json'" in one_line(result.stderr)
    documented = json.loads(run_canon("scan", "--format", "json", cwd=repo).stdout)
    assert documented["findings"][0]["path"] == "tests/test_broken.py"
