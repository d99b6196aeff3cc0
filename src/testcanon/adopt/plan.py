"""Turn an inference into the file changes `canon init` proposes, without writing anything.

Each change keeps what the user already has: pyproject.toml is edited with tomlkit (comments
and formatting survive, existing keys are never replaced without `force`), the pre-commit
config is merged with ruamel.yaml's round-trip mode (comments kept), and generated files are
only created when missing (or replaced with `force`). Applying the same plan twice changes
nothing the second time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.items import Table

from testcanon.adopt.infer import SERVICE_PORTS, Inference
from testcanon.adopt.templates import testing_md, workflow_yaml
from testcanon.config import Project
from testcanon.config.schema import CANONICAL_BASES

HOOKS = (
    {"id": "canon-check", "name": "canon check (SSOT rules, against the baseline)",
     "entry": "canon check", "language": "system", "pass_filenames": False,
     "types": ["python"]},
    {"id": "canon-scan", "name": "canon scan (files that do not compile)",
     "entry": "canon scan", "language": "system", "pass_filenames": True, "types": ["python"]},
)


@dataclass(frozen=True)
class FileChange:
    path: Path
    old: bytes | None
    new: bytes
    why: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def plan(project: Project, inference: Inference, *, shards: int = 4, force: bool = False) -> list[FileChange]:
    root = project.root
    changes = [
        _pyproject(root / "pyproject.toml", inference, force),
        _precommit(root / ".pre-commit-config.yaml"),
        _generated(root / ".github" / "workflows" / "testcanon.yml",
                   workflow_yaml(shards=shards), "CI workflow", force),
    ]
    return [change for change in changes if change.changed]


def plan_testing_doc(project: Project, *, force: bool = False) -> FileChange | None:
    """docs/TESTING.md, rendered from the configuration as written (so plan it last)."""
    change = _generated(project.root / "docs" / "TESTING.md", testing_md(project), "testing guide",
                        force)
    return change if change.changed else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _generated(path: Path, text: str, why: str, force: bool) -> FileChange:
    old = _read(path)
    new = text.encode() if old is None or force else old
    return FileChange(path, old, new, f"{why} ({'replaced' if old and force else 'created'})")


def _pyproject(path: Path, inference: Inference, force: bool) -> FileChange:
    old = _read(path)
    document = tomlkit.parse(old.decode("utf-8")) if old else tomlkit.document()
    tool = document.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document.add("tool", tool)
    section = tool.get("testcanon")
    if section is None:
        section = tomlkit.table()
        section.add(tomlkit.comment("Written by `canon init`: every setting below is a guess from this"))
        section.add(tomlkit.comment("repository, with its evidence; edit freely (canon init never"))
        section.add(tomlkit.comment("overwrites a setting you have without --force)."))
        tool.add("testcanon", section)

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
    if inference.categories:
        _put_tables(_subtable(section, "categories"), inference.categories,
                    {k: f"evidence: {v}" for k, v in inference.category_evidence.items()}, force)
    needed = sorted({s for c in inference.categories.values() for s in c.get("services", [])})
    if needed:
        services = {name: {"host": "127.0.0.1", "port": SERVICE_PORTS[name]} for name in needed}
        _put_tables(_subtable(section, "services"), services,
                    dict.fromkeys(needed, "where tests reach it; set `command` so canon run starts it"), False)
    if inference.areas:
        _put_tables(_subtable(section, "areas"), inference.areas,
                    {k: f"evidence: {v}; default target" for k, v in inference.area_evidence.items()}, force)
    new = tomlkit.dumps(document).encode()
    return FileChange(path, old, new, "[tool.testcanon] settings")


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


def _precommit(path: Path) -> FileChange:
    from ruamel.yaml import YAML

    old = _read(path)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = yaml.load(old.decode("utf-8")) if old else None
    if document is None:
        document = {"repos": []}
    repos = document.setdefault("repos", [])
    present = {hook.get("id") for repo in repos for hook in (repo.get("hooks") or [])}
    missing = [dict(hook) for hook in HOOKS if hook["id"] not in present]
    if not missing:
        return FileChange(path, old, old or b"", "pre-commit hooks")
    local = next((repo for repo in repos if repo.get("repo") == "local"), None)
    if local is None:
        local = {"repo": "local", "hooks": []}
        repos.append(local)
    local.setdefault("hooks", []).extend(missing)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return FileChange(path, old, buffer.getvalue().encode(), "pre-commit hooks (merged)")
