"""A repair is judged against the author's last good code, not only against the compiler."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

from canon_support import run_canon, write_tree
from testcanon.analysis.inventory import nested_helpers, uncollected_names
from testcanon.repair.context import RepairContext
from testcanon.repair.history import FileHistory, revert_by_hunks
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
                                "# REMOVED_SYNTAX_ERROR:     "
                                "value = os.environ.get(\"HOME\", \"development\")\n"
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


def _authored(root: Path, files: dict[str, str]) -> Path:
    """A git repository whose first commit, "author", holds `files`."""
    write_tree(root, files)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "author")
    return root


def _commit(root: Path, path: Path, text: str, message: str) -> None:
    path.write_text(text)
    _git(root, "commit", "-qam", message)


def _fix_verdict(root: Path) -> dict:
    """`canon fix` on the repository, as a user runs it: its verdict on the one broken file."""
    result = run_canon("fix", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)["files"][0]


def test_fix_restores_the_author_not_a_tombstone_that_compiles(tmp_path: Path) -> None:
    """Two scripts: the first unquotes a string and comments a test out (it still compiles), the
    second breaks the indentation. The newest compiling version is the first script's: restoring it
    would compile and keep every test the broken file names, but it is not the author's code."""
    root = _authored(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_a.py": AUTHOR})
    path = root / "tests" / "test_a.py"
    script_one = AUTHOR.replace('"__main__"', "__main__").replace(
        "def test_env():\n    value = os.environ.get(\"HOME\", \"development\")\n    assert value\n",
        "# REMOVED_SYNTAX_ERROR: def test_env():\n"
        "# REMOVED_SYNTAX_ERROR:     value = os.environ.get(\"HOME\", \"development\")\n"
        "# REMOVED_SYNTAX_ERROR:     assert value\n")
    _commit(root, path, script_one, "script one: remove syntax errors")
    _commit(root, path, script_one.replace("    assert os.sep\n", "assert os.sep\n"),
            "script two: normalise indentation")
    verdict = _fix_verdict(root)
    assert verdict["verdict"] == "fixed-by-history"
    assert "passed over as not the author's code" in verdict["detail"]
    assert path.read_text() == AUTHOR



HELPER = dedent('''\
    from dataclasses import dataclass


    @dataclass
    class Status:
        name: str
        available: bool
        details: str = ""


    @dataclass
    class Availability:
        database: Status
        use_real_services: bool

        @property
        def ready(self) -> bool:
            return self.database.available and self.use_real_services


    def check(use_real: bool) -> Availability:
        status = Status("postgres", use_real, "checked")
        return Availability(status, use_real)
''')


def _tombstone(text: str) -> str:
    return "".join(f"# REMOVED_SYNTAX_ERROR: {line}\n" if line.strip() else "\n"
                   for line in text.splitlines())


def test_a_helper_tombstoned_over_several_commits_comes_back_as_the_author_wrote_it(tmp_path: Path) -> None:
    """A helper has no tests, so "the last version with every test" was any version that compiled:
    three commits of a script's tombstone (its whole code in comments) came before the author's.
    The author's code is the version before the tombstones; the repair restores that."""
    root = _authored(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/status.py": HELPER})
    path = root / "tests" / "status.py"
    tomb = _tombstone(HELPER)
    for n in range(3):  # the script ran three times, each time a line more of its own header
        tomb = f"# pass {n}: syntax errors removed\n" + tomb
        _commit(root, path, tomb, f"script: remove syntax errors ({n})")
    _commit(root, path, HELPER.replace("        return self.database", "    return self.database"),
            "script two: restore, with broken indentation")
    verdict = _fix_verdict(root)
    assert verdict["verdict"] == "fixed-by-history", verdict["detail"]
    assert path.read_text() == HELPER
    assert commented_code_lines(path.read_text()) == 0


# --- the judgement's pyflakes, one function body at a time: the same findings as the whole module

EDGES = dedent('''\
    from __future__ import annotations
    import os
    LATER: int
    COUNTER = 0


    def bump() -> Missing1:
        global COUNTER
        COUNTER = undefined_in_global_function


    class Base:
        attribute = os.sep

        def method(self, value: Missing2 = missing_default) -> None:
            super().method()
            print(__class__, attribute, LATER, os.path, value)

            def inner():
                return nested_missing

        @decorator_missing
        def other(self):
            return [x for x in range(3) if x in outer_missing]

        def counting(self):
            tally = 0

            def step():
                nonlocal tally  # pyflakes binds it at module level, as for `global`
                tally += step_missing
            return step


    def uses_later():
        return DEFINED_AFTER, LATER, tally


    DEFINED_AFTER = 1
''')


def _whole_module(tree):
    from collections import Counter

    from pyflakes.checker import Checker
    from pyflakes.messages import UndefinedName

    from testcanon.repair.judge import _scope_by_line

    scopes = _scope_by_line(tree)
    return Counter((scopes.get(m.lineno, "<module>"), m.message_args[0]) for m in Checker(tree).messages
                   if isinstance(m, UndefinedName))


def test_undefined_names_by_body_equal_the_whole_module_check() -> None:
    import ast

    from testcanon.repair.judge import _undefined_names

    for source in (EDGES, EDGES.replace("import os\n", "from os import *\n"), AUTHOR):
        tree = ast.parse(source)
        expected = _whole_module(tree)
        assert _undefined_names(tree, source.splitlines()) == expected
        assert _undefined_names(tree, source.splitlines()) == expected  # from the memo
        assert _undefined_names(tree) == expected
    found = _undefined_names(ast.parse(EDGES), EDGES.splitlines())
    assert {name for _, name in found} >= {"Missing1", "Missing2", "missing_default", "nested_missing",
                                           "decorator_missing", "outer_missing", "attribute",
                                           "undefined_in_global_function", "step_missing"}
    assert "tally" not in {name for _, name in found}
    assert ("Base.method.inner", "nested_missing") in found


def test_undefined_names_stay_right_as_edits_shift_lines_under_the_memo() -> None:
    """The module-level check is remembered by the outline's lines: versions that differ by lines
    added or dropped inside bodies, or above them, each equal the whole-module check."""
    import ast
    import random

    from testcanon.repair.judge import _undefined_names

    base = EDGES.splitlines(keepends=True)
    rng = random.Random(5)
    for _ in range(150):
        lines = list(base)
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(lines))
            indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
            choice = rng.randrange(3)
            if choice == 0:
                lines.insert(at, f"{indent}unknown_{rng.randrange(3)}\n")
            elif choice == 1:
                lines.insert(at, rng.choice(["\n", f"{indent}# unknown_{rng.randrange(3)}\n"]))
            else:
                lines.insert(at, f"{indent}known = 1\n")
        source = "".join(lines)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        assert _undefined_names(tree, source.splitlines()) == _whole_module(tree), source


# --- local mode: the broken file's own intent

BROKEN = dedent('''\
    import os


    def test_env(:
        value = os.environ.get("ENVIRONMENT", 'development')
        assert value
        assert value != "production"
''').encode()


def test_intent_refuses_a_quoted_string_turned_into_a_bare_name() -> None:
    from testcanon.repair.judge import judge_intent

    sound = BROKEN.replace(b"test_env(:", b"test_env():")
    assert judge_intent(sound, BROKEN) == []
    unquoted = sound.replace(b'"ENVIRONMENT"', b"ENVIRONMENT").replace(b"'development'", b"development")
    [refusal] = judge_intent(unquoted, BROKEN)
    assert refusal.kind == "unquoted-string" and refusal.count == 2
    assert "ENVIRONMENT (in test_env)" in refusal.detail and "development (in test_env)" in refusal.detail


def test_intent_refuses_lost_assertions_and_code_put_in_comments() -> None:
    from testcanon.repair.judge import judge_intent

    sound = BROKEN.replace(b"test_env(:", b"test_env():")
    dropped = sound.replace(b'    assert value != "production"\n', b"")
    assert [r.kind for r in judge_intent(dropped, BROKEN)] == ["fewer-assertions"]
    commented = sound.replace(b'    assert value != "production"\n', b'    # assert value != "production"\n')
    assert [r.kind for r in judge_intent(commented, BROKEN)] == ["fewer-assertions", "tombstone"]
    assert judge_intent(b"def broken(:\n", BROKEN)[0].kind == "does-not-parse"


def test_intent_refuses_assertions_dedented_out_of_their_test() -> None:
    """It compiles, and keeps every assertion line, but the last one runs at import now."""
    from testcanon.repair.judge import judge_intent

    sound = BROKEN.replace(b"test_env(:", b"test_env():")
    dedented = sound.replace(b'    assert value != "production"\n', b'assert value != "production"\n')
    [refusal] = judge_intent(dedented, BROKEN)
    assert refusal.kind == "fewer-assertions" and refusal.count == 1
    assert "inside its tests are outside them (1 of 2 left inside)" in refusal.detail
    assert judge_intent(sound, BROKEN) == []


def test_scope_by_line_finds_definitions_in_every_kind_of_block() -> None:
    """The innermost definition of each line, walking statements only, equals a walk of every node."""
    import ast

    from testcanon.repair.judge import _scope_by_line

    source = dedent('''\
        import os
        if os.name:
            def under_if():
                x = 1
        else:
            class UnderElse:
                def method(self):
                    def inner():
                        return [lambda: 1 for _ in ()]
                    return inner
        try:
            def in_try(): pass
        except OSError:
            def in_handler(): pass
        else:
            def in_try_else(): pass
        finally:
            def in_finally(): pass
        for _ in ():
            pass
        else:
            def in_for_else(): pass
        with open(os.devnull):
            async def in_with(): pass
        match os.sep:
            case "/":
                def in_case(): pass
    ''')
    tree = ast.parse(source)
    by_all_nodes: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                by_all_nodes.update(dict.fromkeys(range(child.lineno, child.end_lineno + 1), name))
            visit(child, name)

    visit(tree, "")
    found = _scope_by_line(tree)
    assert found == by_all_nodes
    assert {found[4], found[9], found[14], found[18], found[22], found[24], found[27]} == {
        "under_if", "UnderElse.method.inner", "in_handler", "in_finally", "in_for_else", "in_with", "in_case"}


def test_assertions_are_counted_by_the_lines_python_numbers() -> None:
    # a form feed is a line break to `str.splitlines`, not to Python: a memo keyed by lines cut
    # with it would read the test one line short and miss the assertion a later version lost
    author = b"import os\n\x0c\ndef test_a():\n    assert os.sep\n    assert os.name\n"
    weaker = author.replace(b"    assert os.name\n", b"    os.name\n")
    assert profile(author).assertions[(None, "test_a")] == 2
    assert profile(weaker).assertions[(None, "test_a")] == 1
    assert [r.kind for r in judge(weaker, profile(author))] == ["fewer-assertions"]


RENAMED_BEFORE = dedent('''\
    class TestCollection:
        def test_basic(self):
            assert 1 + 1 == 2

        def test_paths(self):
            assert "a/b".split("/") == ["a", "b"]
''')


def test_a_class_renamed_between_two_collected_names_is_the_authors_code(tmp_path: Path) -> None:
    """The author renamed `TestCollection` to `CollectionTests` (both match the project's
    `python_classes`) and left a commented line; a later script broke the file. The last version
    that compiled is the author's: its tests are the same tests, under the class's new name.
    Counting the class itself as a test only under the `Test` prefix made the older name look
    like one test more, so the older version was taken as the author's: the fix put the old name
    back over the author's rename (or refused every repair for "fewer tests")."""
    root = _authored(tmp_path / "repo", {
        "pyproject.toml": ('[tool.testcanon]\n\n[tool.pytest.ini_options]\n'
                           'python_classes = ["Test*", "*Tests"]\n'),
        "tests/test_c.py": RENAMED_BEFORE})
    path = root / "tests" / "test_c.py"
    renamed = RENAMED_BEFORE.replace("class TestCollection:", "# x = legacy_setup()\nclass CollectionTests:")
    _commit(root, path, renamed, "rename test classes to *Tests")
    _commit(root, path, renamed.replace('        assert "a/b"', '        assert "a/b'),
            "script: normalise quotes")
    verdict = _fix_verdict(root)
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert path.read_text() == renamed


# --- what counts as a test is what pytest collects from the author's versions

NOT_COLLECTED = dedent('''\
    from dataclasses import dataclass


    @dataclass
    class TestReport:
        total: int

        def test_ratio(self):
            return 1


    class TestHelper:
        def __init__(self):
            self.ready = True

        def test_helper_method(self):
            return self.ready


    class TestEmpty:
        pass


    class TestOptedOut:
        __test__ = False

        def test_skipped(self):
            pass


    class TestOptedOutByZero:  # pytest reads `__test__` by truth
        __test__ = 0

        def test_zero(self):
            pass


    class TestReal:
        @property
        def test_duration(self):
            return 1

        def test_one(self):
            assert self.test_duration == 1


    class TestOnBase(Base):
        pass


    @dataclass(init=False)
    class TestNoInit:
        def test_kept(self):
            pass


    def test_free():
        assert True
''')


def test_names_pytest_never_collects_are_told_from_a_parsed_version() -> None:
    assert uncollected_names(ast.parse(NOT_COLLECTED)) == {
        "TestReport", "test_ratio", "TestHelper", "test_helper_method", "TestEmpty", "TestOptedOut",
        "test_skipped", "TestOptedOutByZero", "test_zero", "test_duration"}


def test_pytest_itself_collects_none_of_them(tmp_path: Path) -> None:
    (tmp_path / "test_mod.py").write_text("class Base:\n    pass\n\n\n" + NOT_COLLECTED)
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "test_mod.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    ids = {line.split("::", 1)[1] for line in done.stdout.splitlines() if line.startswith("test_mod.py::")}
    assert ids == {"TestReal::test_one", "TestNoInit::test_kept", "test_free"}, done.stdout
    collected = {name for test_id in ids for name in test_id.split("::")}
    assert not collected & uncollected_names(ast.parse(NOT_COLLECTED))


def test_a_test_class_built_inside_a_test_is_a_helper_not_a_test() -> None:
    """A test that builds `class TestAgent(Mixin)` to exercise a mixin: pytest never sees it; the
    damage flattened it into view in the broken file, whose inventory counts it."""
    source = dedent('''\
        def test_mixin():
            class TestAgent(Mixin):
                def test_hook(self):
                    return 1
            assert TestAgent().test_hook() == 1
    ''')
    assert nested_helpers(ast.parse(source)) == {"TestAgent", "test_hook"}


REPORT_AUTHOR = dedent('''\
    import time
    from dataclasses import dataclass, field


    @dataclass
    class TestRun:
        started: float = field(default_factory=time.time)

        @property
        def test_duration(self) -> float:
            return time.time() - self.started


    def test_run_has_a_duration():
        assert TestRun().test_duration >= 0
''')


def test_a_property_of_a_dataclass_named_like_a_test_is_not_a_test_to_keep(tmp_path: Path) -> None:
    """The damage hides the decorators from the broken file's inventory, which counts `TestRun` and
    its `test_duration`; the author's versions show a dataclass (pytest declines it) and a property.
    The repair is not bound to them, and the verdict names them as set aside."""
    root = _authored(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n",
                                         "tests/test_r.py": REPORT_AUTHOR})
    path = root / "tests" / "test_r.py"
    _commit(root, path, REPORT_AUTHOR.replace("    @property\n", "  @property\n"), "script: indentation")
    ctx = RepairContext.build(root, "tests/test_r.py", path.read_bytes(), use_history=True)
    assert ctx.expected == {(None, "test_run_has_a_duration")}
    assert ctx.set_aside == {"TestRun", "test_duration"}
    verdict = _fix_verdict(root)
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert "not counted as tests" in verdict["detail"] and "TestRun, test_duration" in verdict["detail"]
    assert path.read_text() == REPORT_AUTHOR


TWO_CLASSES = dedent('''\
    class TestFactories:
        def test_factory(self):
            assert "a/b".split("/") == ["a", "b"]


    class TestLayers:
        def test_plan(self):
            assert [1, 2][-1] == 2
''')


def test_a_class_the_damage_read_into_another_is_not_held_against_the_authors(tmp_path: Path) -> None:
    """A script dropped `class TestLayers:` and broke a quote: the broken file's indentation puts
    `test_plan` in `TestFactories`, where no version of the author's ever had it. Holding the repair
    to that class refused the author's own code; the test is expected wherever the repair defines
    it, and the judge holds the repair to the author's classes."""
    root = _authored(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n",
                                         "tests/test_l.py": TWO_CLASSES})
    path = root / "tests" / "test_l.py"
    damaged = TWO_CLASSES.replace("class TestLayers:\n", "").replace('"a/b"', '"a/b')
    _commit(root, path, damaged, "script: remove duplicate headers")
    ctx = RepairContext.build(root, "tests/test_l.py", path.read_bytes(), use_history=True)
    assert ctx.expected == {(None, "TestFactories"), ("TestFactories", "test_factory"), (None, "test_plan")}
    verdict = _fix_verdict(root)
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert path.read_text() == TWO_CLASSES


def test_the_authors_code_is_found_behind_a_long_run_of_tombstones(tmp_path: Path) -> None:
    """One script broke the file, another commented all of it out, and the tombstone stayed for
    more commits than the usual look-back (each run of the script added a line to it); then a
    restore broke it again. The author's code is the version before the tombstones."""
    root = _authored(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_a.py": AUTHOR})
    path = root / "tests" / "test_a.py"
    _commit(root, path, AUTHOR.replace("    assert os.sep\n", "assert os.sep\n"), "script: indentation")
    tomb = _tombstone(AUTHOR)
    for n in range(12):
        tomb = f"# pass {n}: syntax errors removed\n" + tomb
        _commit(root, path, tomb, f"script: remove syntax errors ({n})")
    _commit(root, path, AUTHOR.replace("    assert os.sep\n", "assert os.sep\n"), "restore tests")
    reference = FileHistory(root, "tests/test_a.py").reference
    assert reference is not None and reference.commented_code == 0
    assert {name for _, name in reference.tests} == {"test_home", "test_env"}
