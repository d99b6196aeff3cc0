"""Shard plans (cover every file once, balanced, deterministic) and perf-regression detection."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from canon_support import run_canon
from testcanon.errors import UsageError
from testcanon.history import connect
from testcanon.runner.perf import detect, regressions
from testcanon.runner.shards import imbalance, parse_shard, plan


def test_plan_covers_every_file_exactly_once_and_is_deterministic() -> None:
    rng = random.Random(7)
    files = [f"tests/test_{i}.py" for i in range(300)]
    durations = {f: rng.choice([0.01, 0.1, 1.0, 5.0]) for f in files[:250]}
    first = plan(files, durations, 4)
    assert sorted(f for shard in first for f in shard.files) == sorted(files)
    assert plan(list(reversed(files)), durations, 4) == first
    assert imbalance(first) < 1.1


def test_unknown_files_get_the_median_duration() -> None:
    shards = plan(["a", "b", "c", "d"], {"a": 10.0, "b": 10.0}, 2)
    assert sorted(round(s.seconds, 2) for s in shards) == [20.1, 20.1]


def test_without_durations_a_first_run_splits_by_tests_not_files() -> None:
    """black's first sharded run: one file of 160 tests and five small ones; by files, one shard
    took 90 s and the other 5 s."""
    counts = {"tests/test_black.py": 160, **{f"tests/test_{n}.py": 4 for n in "abcde"}}
    shards = plan(sorted(counts), {}, 2, counts)
    small = tuple(f"tests/test_{n}.py" for n in "abcde")
    assert [s.files for s in shards] == [("tests/test_black.py",), small]
    assert plan(sorted(counts), {}, 2)[0].files != ("tests/test_black.py",)  # by files: not apart


def test_unknown_files_weigh_their_tests_at_the_known_time_per_test() -> None:
    # known: 2 s for 10 tests (0.2 s per test); unknown: 50 tests -> 10 s, 5 tests -> 1 s
    shards = plan(["known", "big", "small"], {"known": 2.0}, 3, {"known": 10, "big": 50, "small": 5})
    expected = {s.files[0]: round(s.seconds, 2) for s in shards}
    assert expected == {"big": 10.05, "known": 2.05, "small": 1.05}


def test_parse_shard_errors() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1-2"):
        with pytest.raises(UsageError):
            parse_shard(bad)


def _shard(root: Path, k: int, n: int, out: Path) -> dict:
    import json

    run_canon("run", "--no-fail-fast", "--shard", f"{k}/{n}", "--json", str(out), cwd=root)
    return json.loads(out.read_text())


@pytest.mark.slow
def test_sequential_shards_on_one_machine_run_every_test_once(layered: Path, tmp_path: Path) -> None:
    """Each shard's run updates the history; the plan comes from .test_durations and stays put."""
    run_canon("run", "--no-fail-fast", cwd=layered)
    updated = run_canon("shards", "3", "--update", cwd=layered)
    assert updated.returncode == 0 and ".test_durations: 6 test durations" in updated.stdout
    results = tmp_path / "results"
    results.mkdir()
    seen: list[str] = []
    digests = set()
    for k in (1, 2, 3):
        document = _shard(layered, k, 3, results / f"shard{k}.json")
        seen += [t["nodeid"] for t in document["tests"]]
        digests.add(document["shard"]["digest"])
        assert sorted(t["nodeid"] for t in document["tests"]) == document["shard"]["planned"]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 6
    assert len(digests) == 1
    combined = run_canon("run", "--combine", str(results), cwd=layered)
    assert combined.returncode == 1  # test_i_bad fails, but the combine itself is complete
    assert "combined 3/3 shard(s)" in combined.stdout and "never ran" not in combined.stdout
    plan_text = run_canon("shards", "3", "--files", cwd=layered).stdout
    assert plan_text.count("shard ") == 3 and f"plan {digests.pop()}" in plan_text


@pytest.mark.slow
def test_combine_catches_a_missing_and_a_duplicated_test(layered: Path, tmp_path: Path) -> None:
    import json

    (layered / "tests" / "integration" / "test_i.py").write_text("def test_i_ok():\n    pass\n")
    results = tmp_path / "results"
    results.mkdir()
    for k in (1, 2):
        _shard(layered, k, 2, results / f"shard{k}.json")
    ok = run_canon("run", "--combine", str(results), "--json", str(tmp_path / "c.json"), cwd=layered)
    assert ok.returncode == 0, ok.stdout
    assert json.loads((tmp_path / "c.json").read_text())["missing"] == []

    first = json.loads((results / "shard1.json").read_text())
    dropped = first["tests"].pop()
    (results / "shard1.json").write_text(json.dumps(first))
    missing = run_canon("run", "--combine", str(results), "--json", str(tmp_path / "c.json"), cwd=layered)
    assert missing.returncode == 1 and "1 planned test(s) never ran" in missing.stdout
    assert json.loads((tmp_path / "c.json").read_text())["missing"] == [dropped["nodeid"]]

    first["tests"] += [dropped, dropped]
    (results / "shard1.json").write_text(json.dumps(first))
    twice = run_canon("run", "--combine", str(results), cwd=layered)
    assert twice.returncode == 1 and "ran more than once" in twice.stdout

    (results / "shard2.json").unlink()
    first["tests"].pop()
    (results / "shard1.json").write_text(json.dumps(first))
    gone = run_canon("run", "--combine", str(results), cwd=layered)
    assert gone.returncode == 1 and "shard 2/2 has no results" in gone.stdout


def test_detect_flags_a_real_step_and_ignores_noise() -> None:
    rng = random.Random(1)
    noisy = [(0.5 + rng.uniform(-0.05, 0.05), f"c{i}") for i in range(20)]
    assert detect(noisy) is None
    stepped = noisy + [(1.2, "bad1"), (1.25, "bad2"), (1.22, "bad3")]
    baseline, recent, threshold, commit = detect(stepped)
    assert 0.45 < baseline < 0.55 and recent == pytest.approx(1.22)
    assert commit == "bad1"
    one_spike = noisy + [(0.5, "x"), (3.0, "spike"), (0.5, "y")]
    assert detect(one_spike) is None  # the median of the recent runs is not moved by one spike
    tiny = [(0.001, "c")] * 10 + [(0.004, "d")] * 3
    assert detect(tiny) is None  # below the floor


def test_regressions_from_a_synthetic_history(tmp_path: Path) -> None:
    db = connect(tmp_path)
    for run in range(12):
        commit = f"commit{run}"
        db.execute("INSERT INTO runs (id, kind, started, commit_sha) VALUES (?, 'test', 0, ?)",
                   (run + 1, commit))
        slow = 2.0 if run >= 9 else 0.2
        db.execute("INSERT INTO test_results (run_id, nodeid, file, category, outcome, duration) "
                   "VALUES (?, 't::slow', 't', '', 'passed', ?)", (run + 1, slow))
        db.execute("INSERT INTO test_results (run_id, nodeid, file, category, outcome, duration) "
                   "VALUES (?, 't::steady', 't', '', 'passed', 0.3)", (run + 1,))
    db.commit()
    found = regressions(tmp_path)
    assert [(r.nodeid, r.commit) for r in found] == [("t::slow", "commit9")]
    result = run_canon("perf", cwd=tmp_path)
    assert result.returncode == 1 and "t::slow" in result.stdout and "commit9" in result.stdout
