"""Every `[tool.testcanon]` value is validated from the schema's field metadata, every CLI option
is a closed choice: one line naming the key, with a suggestion where there is one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from state_support import one_line_error

from canon_support import one_line, run_canon
from testcanon.config import load_project
from testcanon.config.schema import Config
from testcanon.errors import ConfigError

BAD = {
    "runner.collect_batch_size = 0": ("[tool.testcanon.runner]\ncollect_batch_size = 0", "must be >= 1"),
    "negative size": ("[tool.testcanon]\nmax_file_size = -1", "'max_file_size' must be >= 1"),
    "negative timeout": ("[tool.testcanon.runner]\ncollect_timeout = -5", "must be > 0"),
    "nan timeout": ("[tool.testcanon.migrate]\ncollect_timeout = nan", "finite"),
    "inf": ("[tool.testcanon.categories.unit]\ntimeout = inf", "finite"),
    "zero category timeout": ("[tool.testcanon.categories.unit]\ntimeout = 0", "must be > 0"),
    "threshold > 1": ("[tool.testcanon.check]\nduplication_threshold = 1.5", "must be <= 1"),
    "port": ("[tool.testcanon.services.db]\nport = 70000", "must be <= 65535"),
    "area target": ("[tool.testcanon.areas.api]\ntarget = 101", "must be <= 100"),
    "negative target": ("[tool.testcanon.targets]\nenv_accesses = -1", "'targets.env_accesses' must be >= 0"),
    "on_environ_change typo": ("[tool.testcanon.testing]\non_environ_change = 'wran'",
                               "did you mean 'warn'"),
    "main_block typo": ("[tool.testcanon.migrate]\nmain_block = 'remvoe'", "did you mean 'remove'"),
    "workers": ("[tool.testcanon.runner]\nworkers = 'many'", "'auto' or 'logical'"),
    "select code": ("[tool.testcanon.check]\nselect = ['CANON1O1']", "did you mean 'CANON101'"),
    "ignore code": ("[tool.testcanon.check]\nignore = ['FOO']", "not a rule code"),
    "per-file code": ("[tool.testcanon.check]\nper-file-ignores = {'a/*' = ['CANON999']}",
                      "'check.per-file-ignores.a/*[0]' is not a rule code"),
    "braces in command": ("[tool.testcanon.services.db]\ncommand = 'redis --conf {\"a\": 1}'",
                          "unknown placeholder"),
    "placeholder typo": ("[tool.testcanon.services.db]\ncommand = 'redis --port {prot}'",
                         "unknown placeholder {prot}"),
    "lone brace": ("[tool.testcanon.services.db]\ncommand = 'redis {'", "not a valid template"),
    "braces in env": ("[tool.testcanon.services.db.env]\nURL = 'redis://{hots}'", "unknown placeholder"),
    "unbalanced quote": ("[tool.testcanon.services.db]\ncommand = 'redis \"x'", "No closing quotation"),
    "tool = 5": ("tool = 5", "'tool' must be a table"),
    "testcanon = 5": ("[tool]\ntestcanon = 5", "must be a table"),
    "deep arrays": ("[tool.testcanon]\nx = " + "[" * 3000 + "]" * 3000, "nested too deeply"),
    "deep tables": ("[tool.testcanon]\nx = " + "{a=" * 3000 + "1" + "}" * 3000, "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_value_is_a_one_line_config_error(tmp_path: Path, name: str) -> None:
    body, expected = BAD[name]
    (tmp_path / "pyproject.toml").write_text(body + "\n")
    with pytest.raises(ConfigError) as raised:
        load_project(tmp_path)
    message = str(raised.value)
    assert expected in message and "\n" not in message, message


GOOD = [
    "[tool.testcanon.check]\nselect = ['CANON1', 'canon201', 'ALL']\nignore = ['CANON9']",
    "[tool.testcanon.runner]\nworkers = '4'\ncollect_batch_size = 1",
    "[tool.testcanon.runner]\nworkers = 'logical'",
    "[tool.testcanon.services.db]\ncommand = \"redis-server --port {port} --name '{name}' --x {{y}}\"",
    "[tool.testcanon.testing]\non_environ_change = 'warn'\n[tool.testcanon.migrate]\nmain_block = 'hint'",
    "[tool.testcanon.targets]\nenv_accesses = 250",
]


@pytest.mark.parametrize("body", GOOD)
def test_good_values_still_load(tmp_path: Path, body: str) -> None:
    (tmp_path / "pyproject.toml").write_text(body + "\n")
    load_project(tmp_path)


def test_the_defaults_pass_their_own_limits(tmp_path: Path) -> None:
    """Round trip: every default, written back as TOML, validates (a limit never forbids its default)."""
    import tomlkit

    def plain(value):
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    (tmp_path / "pyproject.toml").write_text(tomlkit.dumps({"tool": {"testcanon": plain(Config())}}))
    assert load_project(tmp_path).config == Config()


def test_every_numeric_setting_declares_a_range() -> None:
    """A new number without limits is a review question: this lists them."""
    unlimited = []

    def visit(cls, where: str) -> None:
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(f.type):
                visit(f.type, f"{where}{f.name}.")
            elif f.type in (int, float) and not ({"ge", "gt", "le"} & f.metadata.keys()):
                unlimited.append(where + f.name)

    visit(Config, "")
    assert unlimited == []


@pytest.mark.slow
@pytest.mark.parametrize("command", [["check"], ["scan"], ["collect"], ["fix", "--dry-run"],
                                     ["migrate", "--dry-run"], ["perf"], ["audit"],
                                     ["events", "validate", "x.jsonl"]])
def test_format_is_a_closed_choice_everywhere(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    done = run_canon(*command, "--format", "yaml", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "'yaml' is not one of" in one_line(done.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("command", [["check", "--select", "CANON1O1"], ["check", "--ignore", "CANNON"],
                                     ["migrate", "--dry-run", "--select", "CANON2O1"]])
def test_unknown_codes_on_the_command_line_are_errors(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    done = run_canon(*command, cwd=tmp_path)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr
    assert "not a rule code" in done.stderr and "did you mean" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_collect_timeout_must_be_positive_seconds(tmp_path: Path, value: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    done = run_canon("collect", "--timeout", value, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "positive number of seconds" in done.stderr
