"""A repair is judged against the author's last good code, not only against the compiler."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from textwrap import dedent

from canon_support import run_canon, write_tree
from testcanon.repair.history import revert_by_hunks
from testcanon.repair.judge import commented_code_lines, judge, profile

AUTHOR = dedent('''\
    import os


    def test_home():
        assert os.sep
        assert os.name in ("posix", "nt")


    def test_env():
        value = os.environ.get("HOME", "development")
        assert value


    if __name__ == "__main__":
        test_home()
''')


def kinds(candidate: str, reference: str = AUTHOR) -> set[str]:
    return {refusal.kind for refusal in judge(candidate.encode(), profile(reference.encode()))}


def test_the_authors_code_itself_passes() -> None:
    assert kinds(AUTHOR) == set()


def test_a_quoted_string_that_became_a_bare_name_is_refused() -> None:
    assert kinds(AUTHOR.replace('"__main__"', "__main__")) == {"undefined-names"}
    assert kinds(AUTHOR.replace('"development"', "development")) == {"undefined-names"}


def test_a_dropped_test_is_refused() -> None:
    without = AUTHOR.replace("def test_env():", "def helper_env():")
    assert "fewer-tests" in kinds(without)


def test_lost_assertions_are_refused() -> None:
    assert kinds(AUTHOR.replace('    assert os.name in ("posix", "nt")\n', "")) == {"fewer-assertions"}


def test_a_tombstone_is_refused() -> None:
    tombstoned = AUTHOR.replace("def test_env():\n    value = os.environ.get(\"HOME\", \"development\")\n"
                                "    assert value\n",
                                "# REMOVED_SYNTAX_ERROR: def test_env():\n"
                                "# REMOVED_SYNTAX_ERROR:     value = os.environ.get(\"HOME\", \"development\")\n"
                                "# REMOVED_SYNTAX_ERROR:     assert value\n")
    assert {"tombstone", "fewer-tests"} <= kinds(tombstoned)


def test_a_placeholder_where_the_author_had_a_test_is_refused() -> None:
    hollow = AUTHOR.replace("    value = os.environ.get(\"HOME\", \"development\")\n    assert value\n",
                            "    pytest.skip(\"commented out due to syntax errors\")\n")
    assert "placeholder" in kinds(hollow.replace("import os", "import os\nimport pytest"))


def test_prose_in_comments_is_not_code() -> None:
    text = "# Note that this is prose.\n# TODO: fix later\n# x = compute(1)\n#     assert ok\n# see http://x\n"
    assert commented_code_lines(text) == 2


def test_replaying_hunks_skips_damage_that_compiles() -> None:
    bad = AUTHOR.replace('"__main__"', "__main__").replace("    assert os.sep\n", "assert os.sep\n")
    without_reference = revert_by_hunks(AUTHOR.encode(), bad.encode())
    assert b"== __main__:" in without_reference  # the old behaviour: the unquoting compiles, so it was kept
    judged = revert_by_hunks(AUTHOR.encode(), bad.encode(), reference=profile(AUTHOR.encode()))
    assert judged == AUTHOR.encode()


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True,
                   capture_output=True)


def test_fix_restores_the_author_not_a_tombstone_that_compiles(tmp_path: Path) -> None:
    """Two scripts: the first unquotes a string and comments a test out (it still compiles), the
    second breaks the indentation. The newest compiling version is the first script's: restoring it
    would compile and keep every test the broken file names, but it is not the author's code."""
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_a.py": AUTHOR})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "author")
    path = root / "tests" / "test_a.py"
    script_one = AUTHOR.replace('"__main__"', "__main__").replace(
        "def test_env():\n    value = os.environ.get(\"HOME\", \"development\")\n    assert value\n",
        "# REMOVED_SYNTAX_ERROR: def test_env():\n"
        "# REMOVED_SYNTAX_ERROR:     value = os.environ.get(\"HOME\", \"development\")\n"
        "# REMOVED_SYNTAX_ERROR:     assert value\n")
    path.write_text(script_one)
    _git(root, "commit", "-qam", "script one: remove syntax errors")
    path.write_text(script_one.replace("    assert os.sep\n", "assert os.sep\n"))
    _git(root, "commit", "-qam", "script two: normalise indentation")
    result = run_canon("fix", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    verdict = json.loads(result.stdout)["files"][0]
    assert verdict["verdict"] == "fixed-by-history"
    assert "passed over as not the author's code" in verdict["detail"]
    assert path.read_text() == AUTHOR
