"""The packaging split: the library and the pytest plugin need pytest only; every command whose
extra is missing says which one to install, in one line, with exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from canon_support import REPO_ROOT

SRC = REPO_ROOT / "src"


@pytest.fixture(scope="session")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding pytest (and what pytest needs) and testcanon's source, nothing else: what a
    project gets that adds plain `testcanon` to its test requirements."""
    root = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # pytest and its own dependencies, from this interpreter's environment (no network)
    import _pytest

    (site / "deps.pth").write_text(f"{Path(_pytest.__file__).parent.parent}\n")
    (site / "testcanon.pth").write_text(f"{SRC}\n")
    return python


def _pytest_closure() -> set[str]:
    """Top-level modules of pytest and of everything it requires (on this platform)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    modules_of: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            modules_of.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    seen: set[str] = set()
    todo = ["pytest"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name.lower().replace("_", "-"))
    return {m for dist in seen for m in modules_of.get(dist, ())} | {"py"}


def _isolated(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run with only what a plain `pip install testcanon` brings importable: the shared
    site-packages the .pth file names also hold typer, rich, ...; a meta-path guard hides every
    top-level module that is not pytest's (or its requirements'), the stdlib's or testcanon's."""
    allowed = sorted(_pytest_closure() | {"testcanon"})
    guard = (
        "import sys, importlib.abc\n"
        f"ALLOWED = set({allowed!r})\n"
        "class Guard(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        top = name.split('.')[0]\n"
        "        if top in ALLOWED or top in sys.stdlib_module_names or top.startswith('_'):\n"
        "            return None\n"
        "        raise ModuleNotFoundError(f'No module named {top!r}', name=top)\n"
        "sys.meta_path.insert(0, Guard())\n"
    )
    return subprocess.run([str(python), "-c", guard + "import runpy, sys; sys.argv = sys.argv[1:]; "
                           "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**{k: v for k, v in os.environ.items()
                                  if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
                               # the shared site-packages also registers other pytest11 plugins
                               "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})


def test_dependencies_are_pytest_only_and_every_extra_is_named() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == ["pytest>=8"]
    extras = project["optional-dependencies"]
    assert {"cli", "migrate", "coverage", "report", "events", "all", "test"} <= set(extras)
    lines = (REPO_ROOT / "pyproject.toml").read_text().splitlines()
    for reqs in extras.values():
        for req in (r for r in reqs if "<" in r):
            at = next(i for i, line in enumerate(lines) if f'"{req}"' in line)
            # the reason sits on the pin's line or in the comment block right above it
            reasoned = "#" in lines[at] or lines[at - 1].strip().startswith("#")
            assert reasoned, f"{req}: an upper pin needs a reason"
    from testcanon.entry import EXTRA_OF

    for extra in set(EXTRA_OF.values()):
        assert extra in extras, extra


@pytest.mark.slow
def test_library_and_plugin_run_with_pytest_only(bare_python: Path, tmp_path: Path) -> None:
    (tmp_path / "test_lib.py").write_text(
        "from testcanon import IsolatedEnvironment, SSotBaseTestCase\n\n\n"
        "class TestA(SSotBaseTestCase):\n    def test_env(self):\n"
        "        self.env.set('X', '1')\n        assert self.env.get('X') == '1'\n\n\n"
        "def test_fixture(isolated_env):\n    assert isinstance(isolated_env, IsolatedEnvironment)\n")
    result = _isolated(bare_python, "pytest", "-q", "-p", "no:cacheprovider",
                       "-p", "testcanon.testing.plugin",
                       cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("args", "extra"), [
    (["scan"], "cli"),
    (["check"], "cli"),
])
def test_a_command_without_its_extra_says_which_to_install(bare_python: Path, tmp_path: Path,
                                                           args: list[str], extra: str) -> None:
    result = _isolated(bare_python, "testcanon", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"pip install 'testcanon[{extra}]'" in result.stderr


@pytest.mark.slow
def test_version_needs_nothing_but_the_package(bare_python: Path, tmp_path: Path) -> None:
    result = _isolated(bare_python, "testcanon", "--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("testcanon ")


@pytest.mark.parametrize(("module", "command", "extra"), [
    ("plotly", "report", "report"), ("libcst", "migrate", "migrate"), ("websockets", "journey", "events"),
    ("pytest_cov", "run", "coverage"),
])
def test_missing_extra_messages(monkeypatch: pytest.MonkeyPatch, module: str, command: str,
                                extra: str) -> None:
    from testcanon.entry import missing_extra

    monkeypatch.setattr(sys, "argv", ["canon", command, "--flag"])
    message = missing_extra(ModuleNotFoundError(f"No module named '{module}'", name=module))
    assert message == (f"canon: error: `canon {command}` needs testcanon[{extra}] (no module named "
                       f"'{module}'): pip install 'testcanon[{extra}]'")
    assert missing_extra(ModuleNotFoundError("x", name="not_ours")) is None


def test_the_command_line_starts_without_pydantic(tmp_path: Path) -> None:
    """Every `canon` start is time `canon run` adds to the project's pytest: parsing options must
    not import a validation library (typer 0.29 does; the cli extra keeps below it)."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_a():\n    assert True\n")
    code = ("import sys\nfrom testcanon.entry import main\n"
            "sys.argv = ['canon', 'check', '--format', 'json', '--exit-zero', '.']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.startswith('pydantic'))))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert '"command": "check"' in result.stdout  # the options were parsed and the command ran
    assert result.stderr == ""
