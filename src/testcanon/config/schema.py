"""The shape of `[tool.testcanon]`: every setting, its type and its default.

Each table is a frozen dataclass; `validate.build` turns a raw TOML mapping into one,
rejecting unknown keys and wrong types. Keys are written in snake_case; the loader also
accepts kebab-case (`per-file-ignores`) the way ruff users write them.
"""

# No `from __future__ import annotations` here: validation reads these annotations as real
# types, and resolving string annotations costs more than the rest of loading the config.
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class CheckConfig:
    """`[tool.testcanon.check]`: which rules run and what counts as canonical."""

    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    canonical_bases: list[str] = field(default_factory=lambda: list(CANONICAL_BASES))
    environment_api: str = "testcanon.IsolatedEnvironment"
    runner_command: str = "canon run"
    infra: list[str] = field(
        default_factory=lambda: ["**/conftest.py", "**/fixtures/**", "**/test_framework/**",
                                 "**/helpers/**", "**/test_utils/**", "**/testing/**"]
    )
    baseline: str = ".testcanon/baseline.json"
    duplication_threshold: float = 0.9
    duplication_min_lines: int = 6


@dataclass(frozen=True)
class Category:
    """`[tool.testcanon.categories.NAME]`: a named slice of the suite."""

    paths: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    timeout: float = 300.0
    services: list[str] = field(default_factory=list)
    layer: int = 1
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

    command: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    ready: str = "tcp"
    startup_timeout: float = 30.0
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment:
    """`[tool.testcanon.environments.NAME]`: settings that replace the local services."""

    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Area:
    """`[tool.testcanon.areas.NAME]`: a slice of the product with a coverage target."""

    source: list[str] = field(default_factory=list)
    target: float = 80.0


@dataclass(frozen=True)
class RunnerConfig:
    """`[tool.testcanon.runner]`: defaults of `canon run`."""

    parallel_threshold: int = 200
    workers: str = "auto"
    fail_fast: bool = True
    pytest_args: list[str] = field(default_factory=list)
    collect_batch_size: int = 50
    collect_timeout: float = 120.0


@dataclass(frozen=True)
class TestingConfig:
    """`[tool.testcanon.testing]`: behaviour of the canonical test library."""

    on_environ_change: str = "fail"
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


@dataclass(frozen=True)
class MigrateConfig:
    """`[tool.testcanon.migrate]`: choices the codemods cannot make alone."""

    main_block: str = "remove"
    package_roots: list[str] = field(default_factory=list)
    collect_timeout: float = 300.0
    test_timeout: float = 900.0  # seconds for each run of the affected tests when verifying by outcomes


@dataclass(frozen=True)
class Config:
    """The whole `[tool.testcanon]` table."""

    include: list[str] = field(default_factory=lambda: ["**/*.py"])
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    test_paths: list[str] = field(default_factory=lambda: ["tests"])
    max_file_size: int = 5 * 1024 * 1024
    python: str = ""  # the interpreter (or venv) that runs the project's tests; see testcanon.target
    check: CheckConfig = field(default_factory=CheckConfig)
    categories: dict[str, Category] = field(default_factory=_default_categories)
    services: dict[str, Service] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    runner: RunnerConfig = field(default_factory=RunnerConfig)
    testing: TestingConfig = field(default_factory=TestingConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    migrate: MigrateConfig = field(default_factory=MigrateConfig)

    @property
    def all_excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]
