"""Bad input over every command: never a traceback, never a hang, nothing written outside.

Hypothesis draws the command, a hostile argument it takes, damage to the project's state
and files, and a bad `[tool.testcanon]`; each case runs the real CLI in a subprocess (see
bad_inputs.py, which also runs as a script that counts outcomes). A second, in-process test
throws random values at every configuration key.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import bad_inputs  # noqa: E402 - a sibling module, not a package

from testcanon.config import load_project  # noqa: E402
from testcanon.config.schema import Config  # noqa: E402
from testcanon.errors import ConfigError  # noqa: E402

EXAMPLES = int(os.environ.get("CANON_FUZZ_EXAMPLES", "30"))


@st.composite
def cases(draw) -> bad_inputs.Case:
    command = draw(st.sampled_from(sorted(bad_inputs.COMMANDS)))
    extra = draw(st.sampled_from(bad_inputs.applicable_args(command)))
    return bad_inputs.Case(command, tuple(extra), draw(st.sampled_from(sorted(bad_inputs.DAMAGES))),
                           draw(st.sampled_from(sorted(bad_inputs.CONFIGS))))


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_no_command_tracebacks_hangs_or_writes_outside_on_bad_input(case: bad_inputs.Case) -> None:
    with tempfile.TemporaryDirectory(prefix="canon-fuzz-") as tmp:
        outcome = bad_inputs.run_case(Path(tmp), case)
    assert outcome.kind not in ("traceback", "hang", "wrote-outside"), (case.describe(), outcome.stderr)
    assert outcome.returncode in (0, 1, 2), (case.describe(), outcome)


def _keys(cls, prefix: str = "") -> list[str]:
    """Every dotted key of the schema (tables of named entries get the name 'x')."""
    keys = []
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(f.type):
            keys += _keys(f.type, f"{prefix}{f.name}.")
        elif f.name in ("categories", "services", "environments", "areas"):
            entry = {"categories": "Category", "services": "Service", "environments": "Environment",
                     "areas": "Area"}[f.name]
            from testcanon.config import schema

            keys += _keys(getattr(schema, entry), f"{prefix}{f.name}.x.")
        else:
            keys.append(prefix + f.name)
    return keys


KEYS = _keys(Config)
SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(), st.booleans(),
    st.text(max_size=40), st.sampled_from(["{", "}", "{port}", "{nope}", "\"", "'", "a b 'c", "ALL", "CANON1",
                                           "auto", "fail", "warn", "hint", "remove", "nan", "-1", "0"]),
)
VALUES = st.recursive(SCALARS,
                      lambda inner: st.one_of(st.lists(inner, max_size=3),
                                              st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


@settings(max_examples=300, deadline=None, database=None)
@given(entries=st.dictionaries(st.sampled_from(KEYS), VALUES, min_size=1, max_size=4))
def test_any_value_for_any_key_loads_or_is_a_config_error(entries: dict[str, object]) -> None:
    table: dict[str, object] = {}
    for dotted, value in entries.items():
        *parents, last = dotted.split(".")
        node = table
        for part in parents:
            node = node.setdefault(part, {})  # type: ignore[assignment]
            if not isinstance(node, dict):
                break
        else:
            node[last] = value
    text = tomlkit.dumps({"tool": {"testcanon": table}})
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pyproject.toml").write_text(text)
        try:
            load_project(tmp)
        except ConfigError as error:
            assert "\n" not in str(error)
