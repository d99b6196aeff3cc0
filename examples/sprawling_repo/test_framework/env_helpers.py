"""Environment helpers every team copied at least once."""

import os


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.lower() in ("1", "true", "yes")


def require_env(name):
    return os.environ[name]
