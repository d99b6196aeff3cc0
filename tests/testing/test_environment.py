"""IsolatedEnvironment: semantics, exact restore, and isolation under concurrency."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from testcanon import IsolatedEnvironment
from testcanon.testing import EnvironmentValueError


def test_reads_fall_through_to_the_process_environment() -> None:
    os.environ["CANON_T_BASE"] = "base"
    env = IsolatedEnvironment()
    assert env.get("CANON_T_BASE") == "base"
    assert env["CANON_T_BASE"] == "base"
    assert "CANON_T_BASE" in env
    assert env.get("CANON_T_MISSING", "dflt") == "dflt"
    with pytest.raises(KeyError):
        env["CANON_T_MISSING"]


def test_writes_stay_in_the_overlay_unless_mirrored() -> None:
    env = IsolatedEnvironment()
    env.set("CANON_T_X", "1")
    assert env.get("CANON_T_X") == "1"
    assert "CANON_T_X" not in os.environ
    mirrored = IsolatedEnvironment(sync_to_os=True)
    mirrored.set("CANON_T_Y", "2")
    assert os.environ["CANON_T_Y"] == "2"


def test_delete_hides_a_process_variable() -> None:
    os.environ["CANON_T_DEL"] = "present"
    env = IsolatedEnvironment()
    env.delete("CANON_T_DEL")
    assert env.get("CANON_T_DEL") is None and "CANON_T_DEL" not in env
    assert os.environ["CANON_T_DEL"] == "present"


def test_set_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="strings"):
        IsolatedEnvironment().set("CANON_T_N", 3)  # type: ignore[arg-type]


def test_typed_getters_and_their_errors() -> None:
    env = IsolatedEnvironment()
    env.set("PORT", " 8080 ")
    env.set("DEBUG", "Yes")
    env.set("HOSTS", "a, b,,c ")
    assert env.get_int("PORT") == 8080
    assert env.get_bool("DEBUG") is True
    assert env.get_list("HOSTS") == ["a", "b", "c"]
    assert env.get_int("UNSET_INT", 5) == 5
    env.set("PORT", "eighty")
    with pytest.raises(EnvironmentValueError, match="PORT='eighty' is not an integer"):
        env.get_int("PORT")
    env.set("DEBUG", "maybe")
    with pytest.raises(EnvironmentValueError, match="not a boolean"):
        env.get_bool("DEBUG")


def test_secrets_are_masked_in_repr_and_errors() -> None:
    env = IsolatedEnvironment()
    env.set("API_TOKEN", "s3cr3t")
    env.set("DB_PASSWORD_OLD", "hunter2")
    env.set("REGION", "eu")
    text = repr(env)
    assert "s3cr3t" not in text and "hunter2" not in text
    assert "API_TOKEN=***" in text and "REGION='eu'" in text
    env.set("RETRY_SECRET", "abc")
    with pytest.raises(EnvironmentValueError) as info:
        env.get_int("RETRY_SECRET")
    assert "abc" not in str(info.value)


def test_custom_secret_patterns() -> None:
    env = IsolatedEnvironment(secret_patterns=["INTERNAL_*"])
    env.set("INTERNAL_ID", "x1")
    env.set("API_TOKEN", "visible")
    assert "INTERNAL_ID=***" in repr(env) and "'visible'" in repr(env)


def test_overlay_restores_exactly_including_variables_that_did_not_exist() -> None:
    os.environ["CANON_T_KEEP"] = "old"
    env = IsolatedEnvironment(sync_to_os=True)
    before = dict(os.environ)
    with env.overlay(CANON_T_KEEP="new", CANON_T_FRESH="1", HOME=None):
        assert os.environ["CANON_T_KEEP"] == "new" and os.environ["CANON_T_FRESH"] == "1"
        assert env.get("HOME") is None and "HOME" not in os.environ
    assert dict(os.environ) == before
    assert env.get("CANON_T_FRESH") is None


def test_restore_after_an_exception() -> None:
    env = IsolatedEnvironment(sync_to_os=True)
    before = dict(os.environ)
    with pytest.raises(RuntimeError), env.overlay(CANON_T_BOOM="1"):
        raise RuntimeError("test failed")
    assert dict(os.environ) == before and env.get("CANON_T_BOOM") is None


def test_nested_overlays_unwind_one_level_at_a_time() -> None:
    env = IsolatedEnvironment()
    with env.overlay(LEVEL="1"):
        with env.overlay(LEVEL="2", INNER="x"):
            assert (env.get("LEVEL"), env.get("INNER")) == ("2", "x")
        assert (env.get("LEVEL"), env.get("INNER")) == ("1", None)
    assert env.get("LEVEL") is None


def test_snapshot_and_restore() -> None:
    env = IsolatedEnvironment()
    env.set("A", "1")
    snapshot = env.snapshot()
    env.set("A", "2")
    env.delete("B")
    env.restore(snapshot)
    assert env.changed() == {"A": "1"}


def test_context_manager_scope() -> None:
    env = IsolatedEnvironment()
    with env:
        env.set("SCOPED", "1")
    assert env.get("SCOPED") is None


def test_load_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text('# comment\nexport A=1\nB = "two words"\nC=\'single\'\n'
                      'D=plain # trailing\n\nE="a\\nb"\n')
    env = IsolatedEnvironment()
    assert env.load_dotenv(dotenv) == {"A": "1", "B": "two words", "C": "single", "D": "plain",
                                       "E": "a\nb"}
    dotenv.write_text("not a line\n")
    with pytest.raises(EnvironmentValueError, match=":1: not a KEY=VALUE line"):
        env.load_dotenv(dotenv)


def test_two_hundred_concurrent_tasks_never_see_each_other() -> None:
    env = IsolatedEnvironment()
    leaks: list[str] = []

    async def user(n: int) -> None:
        env.set("USER_ID", f"user-{n}")
        env.set(f"ONLY_{n}", "mine")
        for _ in range(20):
            await asyncio.sleep(0)
            if env.get("USER_ID") != f"user-{n}":
                leaks.append(f"{n} saw {env.get('USER_ID')}")
            others = [k for k in env.changed() if k.startswith("ONLY_") and k != f"ONLY_{n}"]
            if others:
                leaks.append(f"{n} saw {others}")

    async def main() -> None:
        await asyncio.gather(*(user(n) for n in range(200)))

    asyncio.run(main())
    assert leaks == []
    assert env.get("USER_ID") is None  # nothing leaked to the parent context either


def test_sixteen_threads_never_see_each_other() -> None:
    env = IsolatedEnvironment()
    leaks: list[str] = []
    barrier = threading.Barrier(16)

    def worker(n: int) -> None:
        env.set("WORKER", str(n))
        barrier.wait()
        for _ in range(200):
            if env.get("WORKER") != str(n):
                leaks.append(f"{n} saw {env.get('WORKER')}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert leaks == []
