"""A file that ends pytest's session at import sinks only itself, not the batch it was collected in."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from canon_support import gone, run_canon, start_canon_until, write_tree

pytestmark = pytest.mark.slow


def test_a_file_that_ends_the_session_is_isolated_by_halving_the_batch(tmp_path: Path) -> None:
    good = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"
    root = write_tree(tmp_path / "p", {"tests/test_a.py": good, "tests/test_b.py": good,
                                       "tests/test_exit.py": "import os\nos._exit(3)\n",
                                       "tests/test_c.py": good})
    result = run_canon("-v", "collect", "-v", "--format", "json", "--batch-size", "10", cwd=root)
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert document["failed_files"] == 1 and document["tests"] == 6
    # -v says so, once (canon's -v and collect's own are one switch)
    assert result.stderr.count("a run of 4 file(s) stopped as a whole: collecting its halves") == 1
    [cluster] = document["clusters"]
    assert cluster["files"] == ["tests/test_exit.py"] and \
        cluster["cause"].startswith("pytest could not collect: pytest exit")


PROJECT_OPTIONS = {
    # the seed corpus's own addopts: `--cache-clear` collided with `-p no:cacheprovider` (pytest
    # exited 4 on every batch), and `--maxfail` stopped collection after that many errors
    "pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["--cache-clear", "--maxfail=1"]\n',
    "tests/test_a.py": "import missing_one\n", "tests/test_b.py": "import missing_two\n",
    "tests/test_c.py": "def test_one():\n    pass\n\ndef test_two():\n    pass\n"}


def test_collect_counts_every_failing_file_under_the_projects_own_options(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", PROJECT_OPTIONS)
    document = json.loads(run_canon("collect", "--format", "json", cwd=root).stdout)
    assert document["failed_files"] == 2 and document["tests"] == 2


def test_verification_collects_every_file_under_the_projects_own_options(tmp_path: Path) -> None:
    from testcanon.migrate.verify import collected_ids

    root = write_tree(tmp_path / "p", PROJECT_OPTIONS)
    collection = collected_ids(root, ["tests/test_a.py", "tests/test_b.py", "tests/test_c.py"], 120)
    assert collection.failure is None and not collection.defaults
    assert collection.errors == {"tests/test_a.py", "tests/test_b.py"}
    assert collection.ids == {"tests/test_c.py": {"tests/test_c.py::test_one", "tests/test_c.py::test_two"}}


def test_a_module_name_two_files_share_is_named_as_the_cause(tmp_path: Path) -> None:
    # `backup/tests/test_a.py` and `tests/test_a.py` are both `tests.test_a`: the user's own pytest
    # run collects only one of them, and `canon collect` says which module and why
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "tests/__init__.py": "", "tests/test_a.py": "def test_new():\n    pass\n",
        "backup/tests/__init__.py": "", "backup/tests/test_a.py": "def test_old():\n    pass\n"})
    document = json.loads(run_canon("collect", "backup", "tests", "--format", "json", cwd=root).stdout)
    [cluster] = document["clusters"]
    assert cluster["cause"].startswith("import file mismatch: 'tests.test_a' is already another file's ")
    assert cluster["count"] == 1 and document["tests"] == 1


# `sys.exit` at import is an internal error (exit 3) and KeyboardInterrupt interrupts (exit 2) where
# pytest runs on its own (the commands that only collect make `sys.exit` in a test module its own
# collection error, tested below; in a conftest it still stops the run): the session still finishes,
# with the ids of the files before it; the files after it have neither ids nor errors. Read as they
# were, they were "collected, with no test" (canon fix refused 56 sound repairs of the corpus for
# "pytest does not collect" them; canon collect counted them as healthy).
STOPPERS = {"sys.exit": "import sys\nsys.exit(1)\n", "KeyboardInterrupt": "raise KeyboardInterrupt\n"}
GOOD = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"


@pytest.mark.parametrize("stopper", sorted(STOPPERS))
def test_a_file_that_stops_collection_midway_sinks_only_itself(tmp_path: Path, stopper: str) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": GOOD, "tests/test_b_stop.py": STOPPERS[stopper],
                                       "tests/test_c.py": GOOD, "tests/test_0.py": "import missing_module\n"})
    document = json.loads(run_canon("collect", "--format", "json", "--batch-size", "10", cwd=root).stdout)
    assert document["tests"] == 4
    failing = sorted(path for cluster in document["clusters"] for path in cluster["files"])
    assert failing == ["tests/test_0.py", "tests/test_b_stop.py"]


@pytest.mark.parametrize("stopper", sorted(STOPPERS))
def test_verification_collects_the_files_after_one_that_stops_collection(tmp_path: Path,
                                                                          stopper: str) -> None:
    from testcanon.migrate.verify import collected_ids

    root = write_tree(tmp_path / "p", {"tests/test_a.py": GOOD, "tests/test_b_stop.py": STOPPERS[stopper],
                                       "tests/test_c.py": GOOD})
    collection = collected_ids(root, ["tests/test_a.py", "tests/test_b_stop.py", "tests/test_c.py"], 120)
    assert collection.failure is None
    assert collection.ids["tests/test_c.py"] == {"tests/test_c.py::test_one", "tests/test_c.py::test_two"}
    assert "tests/test_b_stop.py" in collection.errors | collection.unknown


# A file that stops the run midway is found where the run stopped, not by halving: the files
# before it are known to be done with (each module reports as soon as it is collected), so the run
# is collected again as [before it], [it], [after it]; halving would collect each half again once
# per halving.
MANY = {f"tests/test_{i:02}.py": GOOD for i in range(1, 10)} | {
    "tests/test_03.py": STOPPERS["KeyboardInterrupt"]}


def test_sys_exit_at_import_fails_only_its_file_in_the_same_run(tmp_path: Path) -> None:
    """pytest lets a `SystemExit` raised while it imports a test module end the session; the
    commands that only collect make it that file's collection error, with the frame that exited,
    and collect the files after it in the same run (each such file cost a split run before)."""
    tree = {f"tests/test_{i:02}.py": GOOD for i in range(1, 10)} | {
        "tests/app_main.py": "import sys\n\nsys.exit(1)\n",
        "tests/test_03.py": "import app_main\n\n\ndef test_x():\n    pass\n"}
    root = write_tree(tmp_path / "p", tree)
    result = run_canon("-v", "collect", "--format", "json", "--batch-size", "20", cwd=root)
    document = json.loads(result.stdout)
    assert document["tests"] == 16
    [cluster] = document["clusters"]
    assert cluster["files"] == ["tests/test_03.py"]
    assert "SystemExit" in cluster["cause"]
    assert cluster["example_chain"] == ["tests/test_03.py:1", "tests/app_main.py:3"]
    assert "stopped as a whole" not in result.stderr
    assert "in 1 pytest run(s)" in result.stderr, result.stderr


def test_collect_splits_a_stopped_run_at_the_file_that_stopped_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", MANY)
    result = run_canon("-v", "collect", "--format", "json", "--batch-size", "20", cwd=root)
    document = json.loads(result.stdout)
    assert document["tests"] == 16
    assert [path for cluster in document["clusters"] for path in cluster["files"]] == ["tests/test_03.py"]
    assert result.stderr.count("stopped as a whole") == 1, result.stderr
    said = "a run of 9 file(s) stopped as a whole: collecting around the file that stopped it"
    assert said in result.stderr


def test_verification_splits_a_stopped_run_at_the_file_that_stopped_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from testcanon.migrate.verify import collected_ids

    root = write_tree(tmp_path / "p", MANY)
    with caplog.at_level("INFO", logger="testcanon.migrate.verify"):
        collection = collected_ids(root, sorted(MANY), 120)
    assert collection.failure is None
    assert sorted(collection.ids) == sorted(set(MANY) - {"tests/test_03.py"})
    assert "tests/test_03.py" in collection.errors
    assert sum("failed as a whole" in record.getMessage() for record in caplog.records) == 1


def test_where_a_run_stopped_is_known_only_from_a_prefix_of_its_files() -> None:
    from testcanon.runner.results import split_at_stopper

    files = ["a", "b", "c", "d"]
    assert split_at_stopper(files, {"a", "b"}) == [["a", "b"], ["c"], ["d"]]
    assert split_at_stopper(files, {"a", "b", "c"}) == [["a", "b", "c"], ["d"]]
    assert split_at_stopper(files, set()) is None  # the first file, or before any file: unknown
    assert split_at_stopper(files, {"a", "c"}) is None  # not a prefix: not where it stopped
    assert split_at_stopper(files, set(files)) is None  # every file done: nothing stopped it


@pytest.mark.parametrize(("sig", "code", "said"), [
    (signal.SIGTERM, 128 + signal.SIGTERM, "canon: terminated"), (signal.SIGINT, 130, "")])
def test_a_signal_to_canon_ends_the_collections_its_threads_wait_on(tmp_path: Path, sig: signal.Signals,
                                                                    code: int, said: str) -> None:
    """`canon collect` waits on its pytest runs from a pool of threads; each run is in its own
    session, so neither a SIGTERM to canon nor Ctrl-C reaches it. Both must end the runs at once,
    not when pytest is done (a minute here)."""
    started = tmp_path / "collecting-pid"
    slow = (f"import os, pathlib, time\npathlib.Path({str(started)!r}).write_text(str(os.getpid()))\n"
            "time.sleep(60)\n")
    root = write_tree(tmp_path / "p", {"tests/test_slow.py": slow,
                                       "tests/test_fine.py": "def test_fine():\n    pass\n"})
    process, pytest_pid = start_canon_until(started, "collect", "--batch-size", "1", cwd=root)
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("canon collect waited for its pytest runs to end") from None
    assert process.returncode == code, err
    assert said in err.decode() and "Traceback" not in err.decode()
    assert gone(pytest_pid), "the pytest run canon started goes on"



def test_verification_collects_beside_a_module_that_exits_in_one_run(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from testcanon.migrate.verify import collected_ids

    root = write_tree(tmp_path / "p", {f"tests/test_{i:02}.py": GOOD for i in range(1, 10)}
                      | {"tests/test_03.py": STOPPERS["sys.exit"]})
    with caplog.at_level("INFO", logger="testcanon.migrate.verify"):
        collection = collected_ids(root, [f"tests/test_{i:02}.py" for i in range(1, 10)], 120)
    assert collection.errors == {"tests/test_03.py"}
    assert len(collection.ids) == 8
    assert not any("failed as a whole" in record.getMessage() for record in caplog.records)


# A module that exits at import only when an earlier test module set the environment it checks
# (the corpus's app exits when its configuration does not validate): in the company of that
# module it exits, alone it does not. Like the split around a stopper did, it is collected apart.
EXITS_AFTER_ANOTHER = {
    "tests/test_01_sets_env.py": "import os\n\nos.environ['APP_MODE'] = 'broken'\n\n\n" + GOOD,
    "tests/app_settings.py": "import os\nimport sys\n\nif os.environ.get('APP_MODE') == 'broken':\n"
                             "    sys.exit(1)\n",
    "tests/test_02_app.py": "import app_settings\n\n\ndef test_app():\n    pass\n",
    "tests/test_03.py": GOOD}


def test_a_file_that_exits_only_after_another_is_collected_again_apart(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", EXITS_AFTER_ANOTHER)
    result = run_canon("-v", "collect", "--format", "json", "--batch-size", "20", cwd=root)
    document = json.loads(result.stdout)
    assert document["clusters"] == [] and document["tests"] == 5, document
    assert "1 file(s) of a run of 3 exited at import: collecting them again apart" in result.stderr


def test_verification_collects_a_file_that_exits_only_after_another_again_apart(tmp_path: Path) -> None:
    from testcanon.migrate.verify import collected_ids

    root = write_tree(tmp_path / "p", EXITS_AFTER_ANOTHER)
    files = ["tests/test_01_sets_env.py", "tests/test_02_app.py", "tests/test_03.py"]
    collection = collected_ids(root, files, 120)
    assert not collection.errors
    assert collection.ids["tests/test_02_app.py"] == {"tests/test_02_app.py::test_app"}
    assert sorted(collection.batches) == [["tests/test_01_sets_env.py", "tests/test_03.py"],
                                          ["tests/test_02_app.py"]]
