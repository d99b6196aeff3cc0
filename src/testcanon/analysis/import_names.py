"""The module names pytest imports test files and conftests under, and runs in which no two collide.

A file inside a package (its folder has an `__init__.py`) is imported under its dotted package
name in every import mode (`importlib` tries that name first as well). Two trees that both hold
a `tests` package (a backup copy of the project, a snapshot, a second service) therefore give
different files the same name: in one pytest process the second `tests/conftest.py` is the first
one's module ("Plugin already registered under a different name", the run ends), and the second
`tests/test_x.py` is another file's module. Collecting such files in separate processes is the
only way each is read as itself; `separate` plans those processes, statically (nothing is
imported), so no run is wasted finding the collision by failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def import_names(root: Path, path: str) -> dict[str, str]:
    """name -> file for `path` and the conftests above it: each one's own dotted name and its
    packages' names (each package stands for its `__init__.py`). Files outside a package are
    given names pytest derives from their unique path, which never collide: they are left out."""
    return _Tree(root).names(path)


def separate(root: Path, files: Iterable[str]) -> list[list[str]]:
    """`files` in as few runs as it takes that no name stands for two files in one run; each run
    keeps the order `files` came in (the first run holds every file that collides with none)."""
    tree = _Tree(root)
    runs: list[tuple[list[str], dict[str, str]]] = []
    for path in files:
        names = tree.names(path)
        for members, taken in runs:
            if all(taken.get(name, file) == file for name, file in names.items()):
                members.append(path)
                taken.update(names)
                break
        else:
            runs.append(([path], dict(names)))
    return [members for members, _ in runs]


class _Tree:
    """One look at the tree's folders (each asked about once), for one planning."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._packages: dict[str, tuple[tuple[str, str], ...]] = {}
        self._conftests: dict[str, tuple[str, ...]] = {}

    def names(self, path: str) -> dict[str, str]:
        names: dict[str, str] = {}
        for file in (path, *self.conftests_above(parent_folder(path))):
            names.update(self._names_of(file))
        return names

    def _names_of(self, path: str) -> dict[str, str]:
        packages = self.packages(parent_folder(path))
        if not packages:
            return {}
        names = {name: f"{folder}/__init__.py" for name, folder in packages}
        stem = path.rsplit("/", 1)[-1].removesuffix(".py")
        names[f"{packages[-1][0]}.{stem}"] = path
        return names

    def packages(self, folder: str) -> tuple[tuple[str, str], ...]:
        """(dotted name, folder) of each package from the outermost down to `folder`; empty
        when `folder` is not a package. The outermost is the highest folder with an
        `__init__.py` in an unbroken line, as pytest's `resolve_package_path` finds it."""
        if folder not in self._packages:
            found: tuple[tuple[str, str], ...] = ()
            if folder and (self.root / folder / "__init__.py").is_file():
                above = self.packages(parent_folder(folder))
                name = folder.rsplit("/", 1)[-1]
                found = (*above, (f"{above[-1][0]}.{name}" if above else name, folder))
            self._packages[folder] = found
        return self._packages[folder]

    def conftests_above(self, folder: str) -> tuple[str, ...]:
        """The conftest.py files pytest loads for a file in `folder`: the root's and each
        folder's down to it."""
        if folder not in self._conftests:
            above = self.conftests_above(parent_folder(folder)) if folder else ()
            conftest = f"{folder}/conftest.py" if folder else "conftest.py"
            self._conftests[folder] = (*above, conftest) if (self.root / conftest).is_file() else above
        return self._conftests[folder]


def parent_folder(path: str) -> str:
    """The folder of a project-relative POSIX path ("" at the root)."""
    return path.rsplit("/", 1)[0] if "/" in path else ""
