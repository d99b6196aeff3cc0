"""`canon fix` as propose-verify-choose: proposers yield, the fixer verifies each candidate once
and chooses; the verdict is a typed value; git goes through `testcanon.vcs`."""

from __future__ import annotations

import ast
import json
import subprocess
from collections.abc import Generator
from pathlib import Path

from canon_support import run_canon, write_tree
from testcanon.repair import by_history, choose, context, fixer, history, local
from testcanon.repair.choose import choose as choose_candidate
from testcanon.repair.context import Candidate, Note, Pick, Proposer, RepairContext
from testcanon.repair.verdict import Outcome, Reason
from testcanon.vcs import merge_file, show

BROKEN = b"def test_a():\nassert 1\n\ndef test_b():\n    assert 2\n"
GOOD = b"def test_a():\n    assert 1\n\ndef test_b():\n    assert 2\n"


def _ctx(tmp_path: Path, original: bytes = BROKEN) -> RepairContext:
    path = write_tree(tmp_path, {"test_x.py": original}) / "test_x.py"
    return RepairContext.build(tmp_path, path.name, original, use_history=False)


def _proposer(candidates: list[Candidate], pick: Pick = Pick.FIRST,
              asked: list[int] | None = None) -> Proposer:
    def propose(ctx: RepairContext) -> Generator[Candidate, None, Note | None]:
        for index, candidate in enumerate(candidates):
            if asked is not None:
                asked.append(index)
            yield candidate
        return Note("nothing left")

    return Proposer("test", Outcome.FIXED_LOCALLY, propose, pick, judged=False)


def test_the_context_is_built_once_with_what_every_proposer_reads(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    assert ctx.expected == {(None, "test_a"), (None, "test_b")}
    assert ctx.history is None and ctx.breaking is None and not ctx.version_specific
    newer = b'def test_f():\n    d = {"k": 1}\n    assert f"{d["k"]}" == "1"\n'
    assert _ctx(tmp_path / "newer", newer).version_specific  # decided here, once, for the whole file


def test_candidates_that_do_not_compile_or_lose_a_test_are_passed_over(tmp_path: Path) -> None:
    lost = b"def test_a():\n    assert 1\n"
    asked: list[int] = []
    proposer = _proposer([Candidate(BROKEN, "unchanged"), Candidate(lost, "drops test_b"),
                          Candidate(GOOD, "indented"), Candidate(GOOD + b"\n", "never asked")], asked=asked)
    choice = choose_candidate(_ctx(tmp_path), (proposer,))
    assert choice.candidate is not None and choice.candidate.how == "indented"
    assert asked == [0, 1, 2]  # Pick.FIRST: the proposer is not asked for more once one verifies


def test_smallest_pick_takes_the_least_change_and_the_first_of_a_tie(tmp_path: Path) -> None:
    bigger = b"def test_a():\n    assert 1\n    assert True\n\ndef test_b():\n    assert 2\n"
    proposer = _proposer([Candidate(bigger, "bigger"), Candidate(GOOD, "small"), Candidate(GOOD, "tie")],
                         Pick.SMALLEST)
    choice = choose_candidate(_ctx(tmp_path), (proposer,))
    assert choice.candidate is not None and choice.candidate.how == "small"


def test_a_proposer_with_nothing_says_why_and_the_next_one_is_asked(tmp_path: Path) -> None:
    empty = _proposer([])
    second = Proposer("second", Outcome.FIXED_LOCALLY, _proposer([Candidate(GOOD, "ok")]).propose)
    choice = choose_candidate(_ctx(tmp_path), (empty, second))
    assert choice.proposer is second and choice.notes == {"test": Note("nothing left")}
    nothing = choose_candidate(_ctx(tmp_path), (empty,))
    assert nothing.candidate is None and nothing.notes["test"].reason == "nothing left"


def test_an_unfinished_candidate_is_finished_by_the_local_search_before_it_is_verified(
        tmp_path: Path) -> None:
    proposer = _proposer([Candidate(BROKEN, "reverted a commit", unfinished=True)])
    choice = choose_candidate(_ctx(tmp_path), (proposer,))
    assert choice.candidate is not None and choice.candidate.source == GOOD
    assert choice.candidate.how == "reverted a commit, then 1 local edit(s)"


def test_the_verdict_is_typed_and_keeps_its_strings(tmp_path: Path) -> None:
    verdict = fixer._verdict(_ctx(tmp_path), "auto")
    assert verdict.verdict is Outcome.FIXED_LOCALLY and verdict.reason is None and verdict.fixed == GOOD
    assert json.loads(json.dumps(verdict.to_json()))["verdict"] == "fixed-locally" == f"{verdict.verdict}"
    newer = b'def test_f():\n    d = {"k": 1}\n    assert f"{d["k"]}" == "1"\n'
    left = fixer._verdict(_ctx(tmp_path / "newer", newer), "auto")
    assert (left.verdict, left.reason, left.fixed) == (Outcome.VERSION_SPECIFIC, Reason.NEWER_PYTHON, None)
    hopeless = fixer._verdict(_ctx(tmp_path / "hopeless", b"def test_a(:\n    ))))\n"), "history")
    assert (hopeless.verdict, hopeless.reason) == (Outcome.UNFIXABLE, Reason.NO_VERIFIED_REPAIR)


def test_no_proposer_verifies_or_calls_back_into_another_through_a_lazy_import() -> None:
    for module in (by_history, history, local, context):
        tree = ast.parse(Path(module.__file__).read_text())  # type: ignore[arg-type]
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 for alias in node.names if node.module == "testcanon.repair.verify"}
        assert "verify" not in names or module is local, module.__name__  # local's search tests its goal
        lazy = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
        assert not lazy, module.__name__
    for module in (by_history, history, choose, fixer, local):  # git only through testcanon.vcs
        assert "subprocess" not in Path(module.__file__).read_text(), module.__name__  # type: ignore[arg-type]


def test_vcs_reads_a_blob_and_merges_a_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": "x = 1\n"})
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True)
    assert show(root, "HEAD", "a.py") == b"x = 1\n" and show(root, "HEAD", "missing.py") is None
    base = b"a\nb\nc\nd\ne\n"
    assert merge_file(b"A\nb\nc\nd\ne\n", base, b"a\nb\nc\nd\nE\n") == (b"A\nb\nc\nd\nE\n", True)
    assert merge_file(b"X\nb\nc\nd\ne\n", base, b"Y\nb\nc\nd\ne\n")[1] is False


def test_no_history_is_a_hidden_alias_of_method_local(tmp_path: Path) -> None:
    assert "--no-history" not in run_canon("fix", "--help", cwd=tmp_path).stdout
    outputs = []
    for flag in (["--method", "local"], ["--no-history"]):
        root = write_tree(tmp_path / flag[-1].strip("-"), {"pyproject.toml": "[tool.testcanon]\n",
                                                           "tests/test_x.py": BROKEN})
        result = run_canon("fix", *flag, "--verify", "static", "--format", "json", cwd=root)
        assert result.returncode == 0, result.stdout + result.stderr
        [verdict] = json.loads(result.stdout)["files"]
        outputs.append({k: verdict[k] for k in ("verdict", "detail", "edits", "changed_lines")})
        assert (root / "tests" / "test_x.py").read_bytes() == GOOD
    assert outputs[0] == outputs[1] and outputs[0]["verdict"] == "fixed-locally"
