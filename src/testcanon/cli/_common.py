"""What check and scan share on the command line, as ruff spells it: `--config`, `--exclude`,
`--extend-exclude` override the project's settings for one run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from testcanon.config import Project


def _globs(value: str | None) -> list[str]:
    return [g.strip() for g in value.split(",") if g.strip()] if value else []


def load_with_overrides(paths: list[Path], *, config: Path | None = None, exclude: str | None = None,
                        extend_exclude: str | None = None) -> Project:
    """The project of the first path (or the cwd), configured from `config` (a pyproject.toml)
    when given, with `exclude` replacing and `extend_exclude` adding exclude globs."""
    from testcanon.config import load_config, load_project
    from testcanon.errors import ConfigError

    if config is not None:
        if not config.is_file():
            raise ConfigError(f"{config}: no such configuration file")
        project = Project(root=config.resolve().parent, config=load_config(config),
                          config_file=config.resolve())
    else:
        project = load_project(paths[0] if paths else Path("."))
    if exclude is None and extend_exclude is None:
        return project
    settings = project.config
    if exclude is not None:
        settings = replace(settings, exclude=_globs(exclude))
    if extend_exclude is not None:
        settings = replace(settings, extend_exclude=[*settings.extend_exclude, *_globs(extend_exclude)])
    return replace(project, config=settings)
