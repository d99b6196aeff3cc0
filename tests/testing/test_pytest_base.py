"""`SSotTestBase` / `SSotAsyncTestBase` under real pytest runs (subprocesses): fixture arguments,
parametrize, class-scoped fixtures, setup_method, pytest-asyncio and anyio; env restored, the
tamper check, metrics, waiting helpers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="session")
def async_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with pytest, pytest-asyncio and anyio, testcanon on its path (built once)."""
    root = tmp_path_factory.mktemp("asyncvenv")
    venv.EnvBuilder(with_pip=True).create(root)
    python = root / "bin" / "python"
    import pytest as own

    result = subprocess.run([str(python), "-m", "pip", "install", "-q", f"pytest=={own.__version__}",
                             "pytest-asyncio", "anyio"], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(f"could not build the venv: {result.stderr[-500:]}")
    site = next((root / "lib").glob("python*/site-packages"))
    (site / "testcanon_src.pth").write_text(str(SRC) + "\n")
    return python


def _run(python: Path | str, tmp_path: Path, source: str, *args: str) -> tuple[int, dict[str, str], str]:
    (tmp_path / "test_it.py").write_text(textwrap.dedent(source))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    report = tmp_path / "report.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CANON_LEAK"))}
    env["PYTHONPATH"] = str(SRC)
    result = subprocess.run([str(python), "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:testcanon",
                             "-q", "-rA", f"--junitxml={report}", *args, "test_it.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    outcomes = {}
    for line in result.stdout.splitlines():
        for word in ("PASSED", "FAILED", "ERROR"):
            if line.startswith(word + " "):
                outcomes[line.split()[1]] = word
    return result.returncode, outcomes, result.stdout + (report.read_text() if report.exists() else "")


@pytest.mark.slow
def test_fixtures_parametrize_class_fixtures_and_setup_method(tmp_path: Path) -> None:
    code, outcomes, _ = _run(sys.executable, tmp_path, """
        import os
        import pytest
        from testcanon import SSotTestBase

        @pytest.fixture
        def number():
            return 41

        class TestPlain(SSotTestBase):
            @pytest.fixture(scope="class")
            def shared(self):
                return {"calls": 0}

            def setup_method(self, method):
                super().setup_method(method)
                self.env.set("CANON_LEAK_SETUP", "from-setup")  # self.env exists in setup_method

            def test_fixture_argument(self, number, shared, tmp_path):
                shared["calls"] += 1
                assert number + 1 == 42 and tmp_path.is_dir()
                assert os.environ["CANON_LEAK_SETUP"] == "from-setup"
                self.env.set("CANON_LEAK_A", "1")

            @pytest.mark.parametrize("value", ["x", "y"])
            def test_parametrized(self, value, shared):
                shared["calls"] += 1
                assert os.environ.get("CANON_LEAK_A") is None  # restored after the test before
                self.env.set("CANON_LEAK_A", value)
                assert self.env.get("CANON_LEAK_A") == value == os.environ["CANON_LEAK_A"]

            def test_class_fixture_is_shared(self, shared):
                assert shared["calls"] == 3

            def test_helpers(self):
                path = self.temp_dir()
                assert path.is_dir()
                assert self.wait_for(lambda: True, timeout=1)
                self.assert_eventually(lambda: None, timeout=1)
                self.record_metric("rows", 3)

        def test_after_the_class():
            assert not [k for k in os.environ if k.startswith("CANON_LEAK")]
    """)
    assert code == 0, outcomes
    assert set(outcomes.values()) == {"PASSED"} and len(outcomes) == 6


@pytest.mark.slow
def test_the_tamper_check_fails_the_test_and_restores(tmp_path: Path) -> None:
    code, outcomes, output = _run(sys.executable, tmp_path, """
        import os
        from testcanon import SSotTestBase

        class TestTamper(SSotTestBase):
            def test_direct(self):
                os.environ["CANON_LEAK_DIRECT"] = "1"

            def test_through_env_is_fine(self):
                self.env.set("CANON_LEAK_OK", "1")
                self.record_metric("rows", 7)

        class TestWarn(SSotTestBase):
            on_environ_change = "warn"

            def test_direct(self):
                os.environ["CANON_LEAK_WARNED"] = "1"

        def test_nothing_leaked():
            assert not [k for k in os.environ if k.startswith("CANON_LEAK")]
    """)
    assert code == 1
    assert outcomes["test_it.py::TestTamper::test_direct"] == "ERROR"  # at teardown: the test itself ran
    assert "test changed os.environ directly: CANON_LEAK_DIRECT (<unset> -> '1')" in output
    assert outcomes["test_it.py::TestTamper::test_through_env_is_fine"] == "PASSED"
    assert outcomes["test_it.py::TestWarn::test_direct"] == "PASSED"
    assert outcomes["test_it.py::test_nothing_leaked"] == "PASSED"
    assert 'name="canon_metric:rows" value="7.0"' in output


@pytest.mark.slow
def test_pytest_asyncio_and_anyio(async_python: Path, tmp_path: Path) -> None:
    code, outcomes, output = _run(async_python, tmp_path, """
        import asyncio
        import os
        import pytest
        import pytest_asyncio
        from testcanon import SSotAsyncTestBase

        @pytest_asyncio.fixture
        async def token():
            await asyncio.sleep(0)
            return "t"

        class TestAsyncio(SSotAsyncTestBase):
            @pytest.mark.asyncio
            async def test_env_in_a_task(self, token):
                self.env.set("CANON_LEAK_ASYNC", token)  # written in the test's own context
                assert os.environ["CANON_LEAK_ASYNC"] == "t"
                assert await self.async_wait_for(lambda: True, timeout=1)

            @pytest.mark.asyncio
            @pytest.mark.parametrize("n", [1, 2])
            async def test_parametrized(self, n):
                assert os.environ.get("CANON_LEAK_ASYNC") is None
                self.env.set("CANON_LEAK_ASYNC", str(n))

            @pytest.mark.asyncio
            async def test_direct_write_is_caught(self):
                os.environ["CANON_LEAK_DIRECT"] = "1"

        class TestAnyio(SSotAsyncTestBase):
            @pytest.mark.anyio
            async def test_anyio(self):
                self.env.set("CANON_LEAK_ANYIO", "1")
                await self.async_assert_eventually(lambda: None, timeout=1)

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        def test_nothing_leaked():
            assert not [k for k in os.environ if k.startswith("CANON_LEAK")]
    """)
    assert outcomes.pop("test_it.py::TestAsyncio::test_direct_write_is_caught") == "ERROR", output
    assert set(outcomes.values()) == {"PASSED"} and len(outcomes) == 5, output
    assert "CANON_LEAK_DIRECT (<unset> -> '1')" in output and \
        "CANON_LEAK_ASYNC" not in output.split("short test")[-1]
    assert code == 1
