"""Configuration: `[tool.testcanon]` in the target repository's pyproject.toml."""

from testcanon.config.loader import Project, find_pyproject, find_root, load_config, load_project
from testcanon.config.schema import (
    Area,
    Category,
    CheckConfig,
    Config,
    Environment,
    EventsConfig,
    MigrateConfig,
    RunnerConfig,
    Service,
    TestingConfig,
)

__all__ = [
    "Area", "Category", "CheckConfig", "Config", "Environment", "EventsConfig", "MigrateConfig",
    "Project", "RunnerConfig", "Service", "TestingConfig", "find_pyproject", "find_root",
    "load_config", "load_project",
]
