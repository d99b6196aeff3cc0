"""Turn an inference into the writes (`PlannedWrite`) `canon init` proposes, without writing anything.

Each change keeps what the user already has: pyproject.toml is edited with tomlkit (comments
and formatting survive, existing keys are never replaced without `force`), testcanon's pinned
hook repository is appended to the pre-commit config as text in its own indentation, and
generated files are only created when missing (or replaced with `force`). Applying the same plan twice changes
nothing the second time.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomlkit
from tomlkit.items import Table

from testcanon.__about__ import REPOSITORY_URI, __version__
from testcanon.adopt.infer import SERVICE_PORTS, Inference
from testcanon.adopt.templates import testing_md
from testcanon.adopt.workflow import plan_workflow, workflow_yaml
from testcanon.config import Project
from testcanon.config.schema import CANONICAL_BASES
from testcanon.errors import ConfigError
from testcanon.journal.planned import PlannedWrite
from testcanon.rules.baseline import DEFAULT_PATH as DEFAULT_BASELINE

# The hooks of testcanon's own .pre-commit-hooks.yaml, pinned to the version that wrote them.
HOOK_REPOSITORY = REPOSITORY_URI
HOOK_IDS = ("canon-check", "canon-scan")


def plan(project: Project, inference: Inference, *, shards: int = 4,
         force: bool = False) -> list[PlannedWrite]:
    root = project.root
    changes = [
        _pyproject(root / "pyproject.toml", inference, force),
        _precommit(root),
        _workflow(project, shards, force),
    ]
    return [change for change in changes if change.changed]


def _workflow(project: Project, shards: int, force: bool) -> PlannedWrite:
    """The workflow goes to the repository's .github/ (GitHub reads no other), running in the
    project's folder when the project is a folder of a larger repository."""
    from testcanon.output.location import repository_prefix, repository_root

    root = project.root
    prefix = repository_prefix(root).rstrip("/")
    text = workflow_yaml(plan_workflow(root, shards, project.config.services), working_directory=prefix)
    return _generated(repository_root(root) / ".github" / "workflows" / "testcanon.yml", text,
                      "CI workflow", force)


def plan_testing_doc(project: Project, *, force: bool = False) -> PlannedWrite | None:
    """docs/TESTING.md, rendered from the configuration as written (so plan it last)."""
    change = _generated(project.root / "docs" / "TESTING.md", testing_md(project), "testing guide",
                        force)
    return change if change.changed else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _generated(path: Path, text: str, why: str, force: bool) -> PlannedWrite:
    old = _read(path)
    new = text.encode() if old is None or force else old
    return PlannedWrite(path, old, new, f"{why} ({'replaced' if old and force else 'created'})")


def _pyproject(path: Path, inference: Inference, force: bool) -> PlannedWrite:
    """`[tool.testcanon]` in pyproject.toml. A missing section is appended as text at the end,
    so nothing else of the file moves (tomlkit cannot add a table under `[tool.*]` tables split
    around `[project]`, as psf/black has them); an existing one is edited in place."""
    old = _read(path)
    text = old.decode("utf-8") if old else ""
    document = tomlkit.parse(text)
    tool = document.get("tool")
    section = tool.get("testcanon") if tool is not None else None
    if section is not None and not isinstance(section, Table):
        raise ConfigError(f"{path}: [tool.testcanon] is split into pieces; join it into one table "
                          "or edit it by hand")
    appendix = tomlkit.document()
    if section is None:
        tool_table = tomlkit.table(is_super_table=True)
        appendix.add("tool", tool_table)
        section = tomlkit.table()
        section.add(tomlkit.comment("Written by `canon init`: every setting below is a guess from this"))
        section.add(tomlkit.comment("repository, with its evidence; edit freely (canon init never"))
        section.add(tomlkit.comment("overwrites a setting you have without --force)."))
        tool_table.add("testcanon", section)

    def put(table: Table, key: str, value: object, evidence: str) -> None:
        if key in table and not force:
            return
        if key in table:
            del table[key]
        table.add(tomlkit.comment(evidence))
        table.add(key, value)

    if inference.test_paths:
        put(section, "test_paths", [g.value for g in inference.test_paths],
            "test roots: " + "; ".join(f"{g.value}: {g.evidence}" for g in inference.test_paths))
    if inference.excludes:
        put(section, "extend_exclude", [f"{g.value}/**" for g in inference.excludes],
            "excluded: " + "; ".join(f"{g.value}: {g.evidence}" for g in inference.excludes))
    check = _subtable(section, "check")
    put(check, "canonical_bases", list(CANONICAL_BASES), "the single source of truth for test classes")
    put(check, "infra", [g.value for g in inference.infra],
        "test infrastructure: " + "; ".join(g.evidence for g in inference.infra))
    put(check, "baseline", DEFAULT_BASELINE,
        "commit it: canon check and canon scan fail only on findings not in it")
    if inference.pytest_args is not None:
        put(_subtable(section, "runner"), "pytest_args", inference.pytest_args.value,
            f"the project's own options: {inference.pytest_args.evidence}")
    if inference.categories:
        _put_tables(_subtable(section, "categories"), inference.categories,
                    {k: f"evidence: {v}" for k, v in inference.category_evidence.items()}, force)
    needed = sorted({s for c in inference.categories.values() for s in c.get("services", [])})
    if needed:
        services = {name: {"host": "127.0.0.1", "port": SERVICE_PORTS[name]} for name in needed}
        _put_tables(_subtable(section, "services"), services,
                    dict.fromkeys(needed, "where tests reach it; set `command` so canon run starts it"),
                    False)
    if inference.areas:
        _put_tables(_subtable(section, "areas"), inference.areas,
                    {k: f"evidence: {v}; default target" for k, v in inference.area_evidence.items()}, force)
    new = tomlkit.dumps(document)
    if appendix:
        new = (new.rstrip("\n") + "\n\n" if new.strip() else "") + tomlkit.dumps(appendix)
    return PlannedWrite(path, old, new.encode(), "[tool.testcanon] settings")


def _put_tables(parent: Table, tables: dict[str, dict[str, object]], comments: dict[str, str],
                force: bool) -> None:
    """One commented sub-table per entry; an existing one is kept unless `force`."""
    for name, settings in tables.items():
        if name in parent and not force:
            continue
        table = tomlkit.table()
        table.add(tomlkit.comment(comments[name]))
        for key, value in settings.items():
            table.add(key, value)
        if name in parent:
            del parent[name]
        parent.add(name, table)


def _subtable(parent: Table, key: str) -> Table:
    table = parent.get(key)
    if table is None:
        table = tomlkit.table(is_super_table=key in ("categories", "areas", "services"))
        parent.add(key, table)
    return table


def _precommit(root: Path) -> PlannedWrite:
    """Add testcanon's hooks, pinned to its hook repository and version, as one more entry at the
    end of `repos:`, written as text in the file's own indentation: nothing else is re-indented
    or re-quoted. The result is parsed back and must equal the old configuration plus that entry.
    pre-commit reads it at the repository root: in a monorepo the hooks see the project's files only."""
    from testcanon.output.location import repository_prefix, repository_root

    path, prefix = repository_root(root) / ".pre-commit-config.yaml", repository_prefix(root)
    old = _read(path)
    text = old.decode("utf-8") if old else ""
    before = _safe_yaml(text) if text.strip() else {}
    if not isinstance(before, dict):
        raise ConfigError(f"{path}: not a pre-commit configuration (a mapping with `repos:`)")
    repos = before.get("repos") or []
    present = {hook.get("id") for repo in repos if isinstance(repo, dict)
               for hook in (repo.get("hooks") or []) if isinstance(hook, dict)}
    missing = [hook for hook in HOOK_IDS if hook not in present]
    if not missing:
        return PlannedWrite(path, old, old or b"", "pre-commit hooks")
    entry = {"repo": HOOK_REPOSITORY, "rev": f"v{__version__}",
             "hooks": [{"id": h, **({"files": f"^{prefix}"} if prefix else {})} for h in missing]}
    new = _append_repo(text, entry)
    after = _safe_yaml(new)
    expected = {**before, "repos": [*repos, entry]}
    if after != expected:
        raise ConfigError(f"{path}: could not add testcanon's hooks without changing the rest; add "
                          f"this entry under repos: by hand: {entry}")
    return PlannedWrite(path, old, new.encode(),
                        f"pre-commit hooks ({', '.join(missing)}, pinned to v{__version__})")


def _safe_yaml(text: str) -> object:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f".pre-commit-config.yaml: invalid YAML: {str(exc).splitlines()[0]}") from None


def _append_repo(text: str, entry: dict) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(r"repos:\s*(#.*)?$", line)), None)
    if start is None:  # no `repos:` key yet: add it at the end
        lines += ([] if not lines or not lines[-1].strip() else []) + ["repos:\n"]
        start, indent = len(lines) - 1, "  "
    else:
        item = next((re.match(r"(\s*)- ", line) for line in lines[start + 1:]
                     if line.strip() and not line.lstrip().startswith("#")), None)
        indent = item.group(1) if item else "  "
    end = start + 1  # after the last line of the repos sequence
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"\S", line) and not line.startswith("- "):
            break  # the next top-level key
        end = i + 1
    hooks = "".join(f"{indent}    - id: {hook['id']}\n"
                    + (f"{indent}      files: {hook['files']}\n" if "files" in hook else "")
                    for hook in entry["hooks"])
    block = (f"{indent}- repo: {entry['repo']}\n{indent}  rev: {entry['rev']}\n{indent}  hooks:\n{hooks}")
    return "".join([*lines[:end], block, *lines[end:]])
