"""The analysis layer is public and below the commands that use it; no package reaches into
another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import testcanon
import testcanon.analysis as analysis

SRC = Path(testcanon.__file__).parent
USERS = ("rules", "runner", "migrate", "repair", "cli", "adopt", "audit")


def _imports(path: Path) -> list[tuple[str, str, int]]:
    """(module, imported name, line) of every `from testcanon... import` and `import testcanon...`."""
    found = []
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 \
                and (node.module or "").startswith("testcanon"):
            found += [(node.module or "", alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names
                      if alias.name.startswith("testcanon")]
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_package_imports_another_packages_private_names() -> None:
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        own = _package("testcanon." + ".".join(path.relative_to(SRC).with_suffix("").parts))
        for module, name, line in _imports(path):
            if _package(module) == own:
                continue
            private = [part for part in [*module.split("."), name] if part.startswith("_") and not
                       (part.startswith("__") and part.endswith("__"))]
            if private:
                offences.append(f"{path.relative_to(SRC)}:{line}: from {module} import {name}")
    assert offences == []


def test_analysis_depends_on_no_command_above_it() -> None:
    upward = [f"{path.name}:{line}: {module}" for path in sorted((SRC / "analysis").glob("*.py"))
              for module, _, line in _imports(path) if _package(module) in USERS]
    assert upward == []


def test_the_public_api_is_what_all_says() -> None:
    for name in analysis.__all__:
        value = getattr(analysis, name)
        assert getattr(value, "__module__", "testcanon.analysis").startswith("testcanon.analysis"), name
    assert sorted(analysis.__all__) == sorted(set(analysis.__all__)) == sorted(dir(analysis))
