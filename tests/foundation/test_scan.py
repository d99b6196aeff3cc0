"""`canon scan` end to end: discovery, workers, the cache and every output format."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import jsonschema
import pytest

from canon_support import REPO_ROOT, run_canon
from testcanon.config import load_project
from testcanon.source import discover
from testcanon.syntax import scan
from testcanon.syntax.cache import cache_path

BROKEN = {
    "ok.py": "x = 1\n",
    "tests/test_indent.py": "def test_a():\nassert True\n",
    "tests/test_syntax.py": "def test_b(:\n    pass\n",
    "tests/mission_critical/test_mc.py": "x = (\n",
    "latin.py": b"# -*- coding: latin-1 -*-\ns = '\xe9'\n",
    "bad_utf8.py": b"s = '\xe9'\n",
    "nul.py": b"x = 1\0\n",
    "huge.py": "x = 1\n" * 200,
}


def _scan(root: Path, **kwargs):
    project = load_project(root)
    return scan(project, discover(project), **kwargs)


def test_reports_every_broken_file_with_kind(make_repo) -> None:
    root = make_repo({**BROKEN, "pyproject.toml": "[tool.testcanon]\nmax_file_size = 1000\n"})
    report = _scan(root)
    kinds = {f.path: f.data["kind"] for f in report.findings}
    assert kinds == {
        "bad_utf8.py": "encoding-error",
        "huge.py": "too-large",
        "nul.py": "null-bytes",
        "tests/mission_critical/test_mc.py": "syntax-error",
        "tests/test_indent.py": "indentation-error",
        "tests/test_syntax.py": "syntax-error",
    }
    assert report.files == 8  # pyproject.toml is not Python


def test_unreadable_file_is_a_finding_not_a_crash(make_repo) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read a file without read permission")
    root = make_repo({"locked.py": "x = 1\n"})
    (root / "locked.py").chmod(0)
    report = _scan(root, use_cache=False)
    assert [f.data["kind"] for f in report.findings] == ["unreadable"]


def test_parallel_workers_agree_with_a_single_process(make_repo) -> None:
    files = {f"pkg/m{i}.py": ("def f(:\n" if i % 7 == 0 else f"x = {i}\n") for i in range(120)}
    root = make_repo(files)
    parallel = _scan(root, jobs=2, use_cache=False)
    serial = _scan(root, jobs=1, use_cache=False)
    assert [f.path for f in parallel.findings] == [f.path for f in serial.findings]
    assert len(parallel.findings) == 18


def test_priority_groups_come_first(make_repo) -> None:
    root = make_repo({**BROKEN, "pyproject.toml":
                      "[tool.testcanon]\npriority = ['tests/mission_critical/**']\n"})
    report = _scan(root)
    assert report.findings[0].path == "tests/mission_critical/test_mc.py"


def _old(path: Path) -> None:
    """Age a file's mtime past the cache's racy window, as files usually are."""
    past = time.time() - 3600
    os.utime(path, (past, past))


def test_cache_hit_change_and_new_file(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n", "b.py": "def f(:\n"})
    for name in ("a.py", "b.py"):
        _old(root / name)
    cold = _scan(root)
    assert (cold.compiled, cold.cached) == (2, 0)
    warm = _scan(root)
    assert (warm.compiled, warm.cached) == (0, 2)
    assert [f.path for f in warm.findings] == ["b.py"]

    (root / "a.py").write_text("x = (\n")
    changed = _scan(root)
    assert changed.compiled == 1
    assert sorted(f.path for f in changed.findings) == ["a.py", "b.py"]


def test_touched_but_unchanged_file_is_not_recompiled(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    _old(root / "a.py")
    _scan(root)
    os.utime(root / "a.py")  # new mtime, same bytes
    report = _scan(root)
    assert (report.compiled, report.cached) == (0, 1)


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", b"\xe3" * 100])
def test_corrupted_cache_is_ignored_and_rebuilt(make_repo, garbage: bytes) -> None:
    root = make_repo({"a.py": "def f(:\n"})
    _old(root / "a.py")
    _scan(root)
    cache_path(root).write_bytes(garbage)
    report = _scan(root)
    assert (report.compiled, [f.path for f in report.findings]) == (1, ["a.py"])
    assert _scan(root).cached == 1  # rebuilt


def test_cache_from_another_interpreter_or_version_is_not_trusted(make_repo) -> None:
    import marshal

    root = make_repo({"a.py": "def f(:\n"})
    _old(root / "a.py")
    _scan(root)
    identity, entries = marshal.loads(cache_path(root).read_bytes())
    foreign = (identity[:4] + ("2.7.18 (other interpreter)",) + identity[5:], entries)
    # Pretend the other interpreter thought the file was fine:
    poisoned = {k: (v[0], v[1], None) for k, v in entries.items()}
    cache_path(root).write_bytes(marshal.dumps((foreign[0], poisoned)))
    report = _scan(root)
    assert [f.path for f in report.findings] == ["a.py"]


def test_cache_lives_under_dot_testcanon_and_is_git_ignored(make_repo) -> None:
    root = make_repo({"a.py": ""})
    _scan(root)
    assert cache_path(root).is_file()
    assert (root / ".testcanon" / ".gitignore").read_text().strip().endswith("*")


# ---- the CLI and its formats -------------------------------------------------------------

def test_cli_exit_codes(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    assert run_canon("scan", cwd=root).returncode == 0
    (root / "b.py").write_text("def f(:\n")
    result = run_canon("scan", cwd=root)
    assert result.returncode == 1
    assert "b.py:1:7: CANON001" in result.stdout
    assert run_canon("scan", "--exit-zero", cwd=root).returncode == 0


def test_json_format_is_stable_and_complete(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n", "t/b.py": "if x:\nfoo()\n"})
    document = json.loads(run_canon("scan", "--format", "json", cwd=root).stdout)
    assert document["schema_version"] == 1
    assert document["summary"]["files"] == 2
    assert document["summary"]["broken"] == 1
    assert document["summary"]["by_kind"] == {"indentation-error": 1}
    assert document["summary"]["by_folder"] == {"t/": 1}
    finding = document["findings"][0]
    assert {k: finding[k] for k in ("code", "path", "line", "column", "kind")} == {
        "code": "CANON002", "path": "t/b.py", "line": 2, "column": 1,
        "kind": "indentation-error"}
    assert "foo()" in finding["frame"]


def test_sarif_validates_against_the_2_1_0_schema(make_repo) -> None:
    root = make_repo({"a.py": "def f(:\n", "b.py": "x = 1\0\n", "c.py": "if x:\ny()\n"})
    sarif = json.loads(run_canon("scan", "--format", "sarif", cwd=root).stdout)
    schema = json.loads((REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["CANON001", "CANON002", "CANON005"]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(results[i]["ruleIndex"] < len(rules) for i in range(len(results)))


def test_github_annotations_escape_and_locate(make_repo) -> None:
    root = make_repo({"dir,x/a.py": "def f(:\n"})
    out = run_canon("scan", "--format", "github", cwd=root).stdout
    assert out.startswith("::error file=dir%2Cx/a.py,line=1,col=7,")
    assert "::CANON001 invalid syntax" in out


def test_output_file_option(make_repo) -> None:
    root = make_repo({"a.py": "def f(:\n"})
    run_canon("scan", "--format", "json", "-o", "report.json", cwd=root)
    assert json.loads((root / "report.json").read_text())["summary"]["broken"] == 1


def test_a_file_valid_only_on_a_newer_python_says_so(make_repo) -> None:
    """Reported (it does not compile here), but named for what it is: not damage."""
    root = make_repo({"tests/test_new.py": "def test_a():\n    d = {'k': 1}\n"
                                           "    assert f\"{d[\"k\"]}\" == \"1\"\n",
                      "tests/test_damaged.py": "def test_b():\n    name = 'x'\n"
                                               "    assert f\"{name} == 'x'\n"})
    messages = {f.path: f.message for f in _scan(root).findings}
    assert messages["tests/test_new.py"].startswith("valid only on Python 3.12+ (PEP 701 f-string)")
    assert not messages["tests/test_damaged.py"].startswith("valid only")


def test_a_file_that_parses_but_does_not_compile_is_reported(make_repo) -> None:
    """The parser accepts `await` in a plain function and `return` at module level; the
    compiler, and so every import of the file, does not."""
    root = make_repo({"tests/test_await.py": "def get_messages():\n    await asyncio.sleep(0)\n"
                                             "    return []\n",
                      "tests/test_return.py": "def test_a():\n    pass\nreturn 1\n",
                      "tests/test_fine.py": "async def test_a():\n    await asyncio.sleep(0)\n"})
    found = {f.path: (f.data["kind"], f.message, f.line) for f in _scan(root).findings}
    assert found == {"tests/test_await.py": ("syntax-error", "'await' outside async function", 2),
                     "tests/test_return.py": ("syntax-error", "'return' outside function", 3)}


def test_a_pep701_fstring_is_valid_for_a_project_that_targets_312(make_repo) -> None:
    """Judged for the project's Python (requires-python or target_version), not canon's own."""
    new = "def test_a():\n    d = {'k': 1}\n    assert f\"{d[\"k\"]}\" == \"1\"\n"
    damaged = "def test_b():\n    name = 'x'\n    assert f\"{name} == 'x'\n"
    files = {"tests/test_new.py": new, "tests/test_damaged.py": damaged}
    for config in ('[project]\nname = "p"\nrequires-python = ">=3.12"\n',
                   '[tool.testcanon]\ntarget_version = "3.12"\n'):
        root = make_repo({**files, "pyproject.toml": config})
        assert {f.path for f in _scan(root).findings} == {"tests/test_damaged.py"}
    old = make_repo({**files, "pyproject.toml": '[project]\nname = "p"\nrequires-python = ">=3.9, <4"\n'})
    assert {f.path for f in _scan(old).findings} == {"tests/test_new.py", "tests/test_damaged.py"}
