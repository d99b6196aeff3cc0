"""Which files a project ships: the folders its build configuration puts in the wheel.

`canon migrate` never rewrites them unless asked by path (a public module of the library
importing testcanon afterwards would be a change to the product, not to its tests), and the
default `infra` globs (`**/testing/**` ...) never reach into them: celery's public
`celery/contrib/testing/` is the library's, not its test suite's.

Read statically, like the build backends read them, never by running `setup.py`:
setuptools (`[tool.setuptools] packages`, `packages.find`, `package-dir`, setup.cfg
`[options]`, `setup(packages=..., package_dir=...)` literals and `find_packages(...)`, else
automatic discovery), hatch (`[tool.hatch.build.targets.wheel] packages/only-include/sources`,
else the project name), flit (`[tool.flit.module] name`, else the project name), poetry
(`[tool.poetry] packages`, else the name), pdm (`[tool.pdm.build] package-dir`), a `src/`
layout, and `[tool.testcanon.migrate] package_roots`.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

# setuptools' automatic discovery leaves these top-level folders out of a flat layout
_FLAT_EXCLUDED = frozenset({
    "tests", "test", "testing", "t", "docs", "doc", "documentation", "examples", "example",
    "scripts", "script",
    "tools", "tasks", "benchmarks", "benchmark", "bench", "build", "dist", "site", "venv", "env", "extras",
    "extra", "sample", "samples", "manpages", "news", "changelog", "requirements", "data", "fixtures",
})


@dataclass(frozen=True)
class Shipped:
    """Folders (relative, posix) whose Python files end up in the installed distribution."""

    roots: tuple[str, ...]
    evidence: str  # where that was read, for a report

    def owner(self, relpath: str) -> str | None:
        """The shipped folder `relpath` is in, or None."""
        for root in self.roots:
            if root == "." or relpath == root or relpath.startswith(root + "/"):
                return root
        return None

    def protects(self, relpath: str, *, test_roots: tuple[str, ...] = (),
                 explicit: tuple[str, ...] = ()) -> str | None:
        """The shipped folder that keeps `relpath` from being rewritten, or None when it may be:
        not shipped, named on the command line at or below its package (`canon migrate
        celery/contrib/testing`; `.` is not naming it), or below a test path the project's
        pytest configuration declares inside the package (`testpaths = netra_backend/tests`)."""
        owner = self.owner(relpath)
        if owner is None:
            return None
        for path in (*explicit, *(t for t in test_roots if t.strip("/") != owner)):
            path = path.strip("/")
            if path and path != "." and _inside(path, owner) and _inside(relpath, path):
                return None
        return owner

    def to_json(self) -> dict[str, object]:
        return {"roots": list(self.roots), "evidence": self.evidence}


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path == folder or path.startswith(folder.rstrip("/") + "/")


def shipped(root: Path, package_roots: tuple[str, ...] = ()) -> Shipped:
    return _shipped(str(root.resolve()), tuple(package_roots))


@lru_cache(maxsize=32)
def _shipped(root_text: str, package_roots: tuple[str, ...]) -> Shipped:
    root = Path(root_text)
    found: list[str] = []
    evidence: list[str] = []
    pyproject = _toml(root / "pyproject.toml")
    name = _normalise(str(pyproject.get("project", {}).get("name", "")))
    tool = pyproject.get("tool", {})
    for reader in (_setuptools_toml, _hatch, _flit, _poetry, _pdm):
        roots, why = reader(root, tool, name)
        if roots:
            found += roots
            evidence.append(why)
    if not found:
        roots, why = _setup_cfg(root)
        if not roots:
            roots, why = _setup_py(root)
        if roots:
            found += roots
            evidence.append(why)
    if not found and name and ("project" in pyproject or (root / "setup.py").is_file()):
        for where in ("src", "."):
            candidate = root / where / name
            if (candidate / "__init__.py").is_file() or (root / where / f"{name}.py").is_file():
                found.append(_rel(root, candidate) if candidate.is_dir()
                             else _rel(root, root / where / f"{name}.py"))
                evidence.append(f"the project name `{name}`")
                break
    if not found and ((root / "setup.py").is_file() or "project" in pyproject):
        roots = _discover(root, root / "src") if (root / "src").is_dir() else _discover(root, root, flat=True)
        if roots:
            found += roots
            evidence.append("setuptools automatic discovery (src/ or flat layout)")
    if not found and (root / "src").is_dir():
        roots = _discover(root, root / "src")
        if roots:
            found += roots
            evidence.append("the src/ layout")
    for package_root in package_roots:
        roots = _discover(root, root / package_root)
        if roots:
            found += roots
            evidence.append(f"package_roots `{package_root}`")
    unique = tuple(dict.fromkeys(r for r in found if r and r != "."))
    return Shipped(unique, "; ".join(dict.fromkeys(evidence)))


# --- readers -------------------------------------------------------------------------------
Reader = tuple[list[str], str]


def _setuptools_toml(root: Path, tool: dict, name: str) -> Reader:
    table = tool.get("setuptools", {})
    if not isinstance(table, dict):
        return [], ""
    base = _package_dir(table.get("package-dir", {}))
    packages = table.get("packages")
    if isinstance(packages, list):
        return _explicit(root, packages, base), "pyproject [tool.setuptools] packages"
    if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
        find = packages["find"]
        wheres = find.get("where", ["."])
        roots = [r for where in wheres for r in _discover(root, root / where, include=find.get("include"),
                                                         exclude=find.get("exclude"))]
        return roots, "pyproject [tool.setuptools.packages.find]"
    if "py-modules" in table:
        return [f"{m}.py" for m in table["py-modules"]], "pyproject [tool.setuptools] py-modules"
    return [], ""


def _hatch(root: Path, tool: dict, name: str) -> Reader:
    wheel = tool.get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
    build = tool.get("hatch", {}).get("build", {})
    for table in (wheel, build):
        if not isinstance(table, dict):
            continue
        listed = (table.get("packages") or []) + (table.get("only-include") or [])
        if listed:
            return [p.strip("/") for p in listed], "pyproject [tool.hatch.build] packages/only-include"
    if "hatch" in tool or _backend(root) == "hatchling.build":
        for where in ("src", "."):
            for candidate in (name, name.replace("_", "")):
                if candidate and (root / where / candidate / "__init__.py").is_file():
                    return ([_rel(root, root / where / candidate)],
                            f"hatch's default for the project name `{name}`")
    return [], ""


def _flit(root: Path, tool: dict, name: str) -> Reader:
    if "flit" not in tool and _backend(root) != "flit_core.buildapi":
        return [], ""
    module = str(tool.get("flit", {}).get("module", {}).get("name", name)).replace(".", "/")
    for where in ("src", "."):
        if (root / where / module).is_dir():
            return [_rel(root, root / where / module)], "flit's module"
        if (root / where / f"{module}.py").is_file():
            return [_rel(root, root / where / f"{module}.py")], "flit's module"
    return [], ""


def _poetry(root: Path, tool: dict, name: str) -> Reader:
    poetry = tool.get("poetry", {})
    if not isinstance(poetry, dict) or not poetry:
        return [], ""
    packages = poetry.get("packages")
    if isinstance(packages, list):
        roots = [_rel(root, root / str(p.get("from", ".")) / str(p["include"]))
                 for p in packages if isinstance(p, dict) and "include" in p]
        return roots, "pyproject [tool.poetry] packages"
    own = _normalise(str(poetry.get("name", name)))
    for where in ("src", "."):
        if own and (root / where / own).is_dir():
            return [_rel(root, root / where / own)], f"poetry's default for `{own}`"
    return [], ""


def _pdm(root: Path, tool: dict, name: str) -> Reader:
    build = tool.get("pdm", {}).get("build", {})
    if not isinstance(build, dict) or not build:
        return [], ""
    includes = build.get("includes")
    if includes:
        return [str(i).strip("/") for i in includes], "pyproject [tool.pdm.build] includes"
    where = build.get("package-dir")
    return (_discover(root, root / where), "pyproject [tool.pdm.build] package-dir") if where else ([], "")


def _setup_cfg(root: Path) -> Reader:
    path = root / "setup.cfg"
    if not path.is_file():
        return [], ""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return [], ""
    if not parser.has_option("options", "packages"):
        return [], ""
    base = {}
    if parser.has_option("options", "package_dir"):
        for line in parser.get("options", "package_dir").splitlines():
            key, _, value = line.partition("=")
            if value.strip():
                base[key.strip()] = value.strip()
    packages = parser.get("options", "packages").strip()
    if packages.startswith("find"):
        section = "options.packages.find"
        where = parser.get(section, "where", fallback=base.get("", "."))
        include = parser.get(section, "include", fallback="").split() or None
        exclude = parser.get(section, "exclude", fallback="").split() or None
        return _discover(root, root / where, include=include, exclude=exclude), "setup.cfg [options] packages"
    return _explicit(root, packages.split(), base), "setup.cfg [options] packages"


def _setup_py(root: Path) -> Reader:
    """`setup(packages=[...] | find_packages(...), package_dir={...})`, read as literals."""
    path = root / "setup.py"
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return [], ""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _callee(node.func) == "setup"):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        base = _literal(keywords.get("package_dir")) or {}
        base = base if isinstance(base, dict) else {}
        value = keywords.get("packages")
        if isinstance(value, ast.Call) and _callee(value.func) in ("find_packages",
                                                                   "find_namespace_packages"):
            args = {k.arg: _literal(k.value) for k in value.keywords if k.arg}
            where = (args.get("where") or (_literal(value.args[0]) if value.args else None)
                     or base.get("", "."))
            return (_discover(root, root / str(where), include=args.get("include"),
                              exclude=args.get("exclude")),
                    "setup.py find_packages(...)")
        packages = _literal(value)
        if isinstance(packages, (list, tuple)):
            return _explicit(root, [str(p) for p in packages], base), "setup.py packages=[...]"
        if value is None and "py_modules" in keywords:
            modules = _literal(keywords["py_modules"]) or []
            return [f"{m}.py" for m in modules], "setup.py py_modules"
    return [], ""


# --- helpers -------------------------------------------------------------------------------
def _discover(root: Path, where: Path, *, include: object = None, exclude: object = None,
              flat: bool = False) -> list[str]:
    """Top-level packages below `where` (a folder with `__init__.py`, or any folder of .py for
    namespace packages when `include` names it), filtered like `find_packages`."""
    if not where.is_dir():
        return []
    roots = []
    includes = [str(i) for i in include] if isinstance(include, (list, tuple)) else None
    excludes = [str(e) for e in exclude] if isinstance(exclude, (list, tuple)) else []
    for child in sorted(where.iterdir()):
        if not child.is_dir() or child.name.startswith((".", "_")) or not child.name.isidentifier():
            continue
        if flat and child.name in _FLAT_EXCLUDED:
            continue
        if not (child / "__init__.py").is_file() \
                and not (includes and any(fnmatchcase(child.name, p) for p in includes)):
            continue
        if includes is not None and not any(fnmatchcase(child.name, p) or fnmatchcase(child.name + ".x", p)
                                            for p in includes):
            continue
        if any(fnmatchcase(child.name, p) for p in excludes):
            continue
        roots.append(_rel(root, child))
    return roots


def _explicit(root: Path, packages: list, base: dict) -> list[str]:
    """Listed packages (`a`, `a.b`) as folders, through `package_dir`; the top ones suffice."""
    roots = []
    for package in packages:
        top = str(package).split(".")[0]
        folder = base.get(top) or (f"{base['']}/{top}" if "" in base else top)
        roots.append(_rel(root, root / folder))
    return roots


def _package_dir(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _backend(root: Path) -> str:
    return str(_toml(root / "pyproject.toml").get("build-system", {}).get("build-backend", ""))


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix() if path.exists() else \
            Path(path).relative_to(root).as_posix()
    except ValueError:
        return ""


def _callee(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def _literal(node: ast.expr | None) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
