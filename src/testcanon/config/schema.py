"""The shape of `[tool.testcanon]`: every setting, its type and its default.

Each table is a frozen dataclass; `validate.build` turns a raw TOML mapping into one,
rejecting unknown keys and wrong types. Keys are written in snake_case; the loader also
accepts kebab-case (`per-file-ignores`) the way ruff users write them.

Limits on a value live beside it, as field metadata made by `setting(...)`: a range (`ge`,
`gt`, `le`), a closed set of `choices`, or a named `check` from `validate.CHECKS` (rule codes,
command templates). Validation reads them; a new setting needs no validation code.
"""

# No `from __future__ import annotations` here: validation reads these annotations as real
# types, and resolving string annotations costs more than the rest of loading the config.
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field
from typing import Any

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    "node_modules",
    ".testcanon",
    "build",
    "dist",
    "site-packages",
)

CANONICAL_BASES: tuple[str, ...] = ("testcanon.SSotBaseTestCase", "testcanon.SSotAsyncTestCase")
# Skip reasons that say a test is switched off until someone fixes it (CANON703), as regexes.
NEEDS_FIX_REASONS: tuple[str, ...] = (
    r"\bfix(?:ed|ing)?\b", r"\bbroken\b", r"\bTODO\b", r"\bFIXME\b", r"\bre-?enabled?\b", r"\buncomment\b",
    r"\btemporar(?:y|ily)\b", r"\bsyntax errors?\b", r"\bneeds? (?:to be )?(?:updat|rewrit|repair|migrat)\w*",
    r"\bdisabled? until\b",
)


def setting(default: Any = MISSING, *, factory: Callable[[], Any] | None = None,
            ge: float | None = None, gt: float | None = None, le: float | None = None,
            choices: tuple[str, ...] | None = None, check: str | None = None) -> Any:
    """A dataclass field with its limits. For a list or a table of values, the limits apply
    to each value. Floats are always finite (no `nan`, no `inf`)."""
    meta = {k: v for k, v in {"ge": ge, "gt": gt, "le": le, "choices": choices, "check": check}.items()
            if v is not None}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class CheckConfig:
    """`[tool.testcanon.check]`: which rules run and what counts as canonical."""

    select: list[str] = setting(factory=lambda: ["ALL"], check="rule_code")
    ignore: list[str] = setting(factory=list, check="rule_code")
    per_file_ignores: dict[str, list[str]] = setting(factory=dict, check="rule_code")
    canonical_bases: list[str] = field(default_factory=lambda: list(CANONICAL_BASES))
    environment_api: str = "testcanon.IsolatedEnvironment"
    runner_command: str = "canon run"
    infra: list[str] = field(
        default_factory=lambda: ["**/conftest.py", "**/fixtures/**", "**/test_framework/**",
                                 "**/helpers/**", "**/test_utils/**", "**/testing/**"]
    )
    baseline: str = "testcanon-baseline.json"  # committed: CI compares against it
    duplication_threshold: float = setting(0.9, ge=0, le=1)
    duplication_min_lines: int = setting(6, ge=1)
    needs_fix_reasons: list[str] = field(default_factory=lambda: list(NEEDS_FIX_REASONS))


@dataclass(frozen=True)
class Category:
    """`[tool.testcanon.categories.NAME]`: a named slice of the suite."""

    paths: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    timeout: float = setting(300.0, gt=0)
    services: list[str] = field(default_factory=list)
    layer: int = setting(1, ge=0)
    real_services: bool = False


def _default_categories() -> dict[str, Category]:
    return {
        "mission_critical": Category(
            paths=["**/mission_critical/**"], markers=["mission_critical"], timeout=120, layer=0
        ),
        "unit": Category(paths=["**/unit/**"], markers=["unit"], timeout=60, layer=0),
        "integration": Category(
            paths=["**/integration/**"], markers=["integration"], timeout=300, layer=1,
            real_services=True,
        ),
        "e2e": Category(
            paths=["**/e2e/**"], markers=["e2e"], timeout=900, layer=2, real_services=True
        ),
    }


@dataclass(frozen=True)
class Service:
    """`[tool.testcanon.services.NAME]`: how to reach or start a real service."""

    command: str = setting("", check="command")  # {host} {port} {name} filled in; split like a shell
    host: str = "127.0.0.1"
    port: int = setting(0, ge=0, le=65535)
    ready: str = "tcp"
    startup_timeout: float = setting(30.0, gt=0)
    env: dict[str, str] = setting(factory=dict, check="template")
    # the container image CI runs it from (`canon init`'s workflow: a `services:` container);
    # a `docker run`/`podman run` command names one already
    image: str = ""


@dataclass(frozen=True)
class Environment:
    """`[tool.testcanon.environments.NAME]`: settings that replace the local services."""

    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Area:
    """`[tool.testcanon.areas.NAME]`: a slice of the product with a coverage target."""

    source: list[str] = field(default_factory=list)
    target: float = setting(80.0, ge=0, le=100)


@dataclass(frozen=True)
class RunnerConfig:
    """`[tool.testcanon.runner]`: defaults of `canon run`."""

    parallel_threshold: int = setting(200, ge=0)
    workers: str = setting("auto", check="workers")  # pytest-xdist -n: a number, "auto" or "logical"
    fail_fast: bool = True
    pytest_args: list[str] = field(default_factory=list)
    collect_batch_size: int = setting(50, ge=1)
    collect_timeout: float = setting(600.0, gt=0)  # seconds for one whole collection (`canon collect`, run's)
    # seconds for a whole `canon run`: every pytest process ends by then
    timeout: float = setting(3600.0, gt=0)


@dataclass(frozen=True)
class TestingConfig:
    """`[tool.testcanon.testing]`: behaviour of the canonical test library."""

    on_environ_change: str = setting("fail", choices=("fail", "warn"))
    secret_patterns: list[str] = field(
        default_factory=lambda: ["*_SECRET", "*_TOKEN", "*PASSWORD*", "*_KEY", "*SECRET*"]
    )


@dataclass(frozen=True)
class EventsConfig:
    """`[tool.testcanon.events]`: where event fields live and where the chat server is."""

    base_url: str = ""
    type_field: str = "type"
    run_id_field: str = "run_id"
    user_id_field: str = "user_id"
    tool_call_id_field: str = "tool_call_id"
    tool_name_field: str = "tool_name"
    timestamp_field: str = "timestamp"
    profiles: dict[str, dict[str, object]] = field(default_factory=dict)
    allowed_hosts: list[str] = field(default_factory=list)  # besides loopback: where journey/load may go
    session: dict[str, object] = field(default_factory=dict)  # testcanon.events.client.SessionConfig


@dataclass(frozen=True)
class MigrateConfig:
    """`[tool.testcanon.migrate]`: choices the codemods cannot make alone."""

    main_block: str = setting("remove", choices=("remove", "hint"))
    package_roots: list[str] = field(default_factory=list)
    collect_timeout: float = setting(300.0, gt=0)
    # seconds for each run of the affected tests when verifying by outcomes
    test_timeout: float = setting(900.0, gt=0)


@dataclass(frozen=True)
class Config:
    """The whole `[tool.testcanon]` table."""

    include: list[str] = field(default_factory=lambda: ["**/*.py"])
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    test_paths: list[str] = field(default_factory=lambda: ["tests"])
    max_file_size: int = setting(5 * 1024 * 1024, ge=1)
    file_time_budget: float = setting(60.0, gt=0)  # CPU seconds one file's repair may take (testcanon.limits)
    file_memory_budget: int = setting(2048, ge=64)  # MiB one file's repair may use beyond the worker's own
    python: str = ""  # the interpreter (or venv) that runs the project's tests; see testcanon.target
    target_version: str = ""  # "3.12": the Python the project's syntax is judged for (else requires-python)
    check: CheckConfig = field(default_factory=CheckConfig)
    categories: dict[str, Category] = field(default_factory=_default_categories)
    services: dict[str, Service] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    targets: dict[str, float] = setting(factory=dict, ge=0)
    runner: RunnerConfig = field(default_factory=RunnerConfig)
    testing: TestingConfig = field(default_factory=TestingConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    migrate: MigrateConfig = field(default_factory=MigrateConfig)

    @property
    def all_excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]
