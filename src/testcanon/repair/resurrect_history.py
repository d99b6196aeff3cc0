"""The versions of a file that resurrection reads: the newest compiling ones that hold each
wanted test, and the tests a placeholder replaced (from git history, across renames; read with
one `git cat-file --batch` per chunk of versions, not one process per version)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from testcanon.repair.history import file_history
from testcanon.rules.lost.naming import DEFAULT, TestNaming
from testcanon.rules.lost.placeholders import find_skipped_tests
from testcanon.rules.lost.tombstones import live_test_ids
from testcanon.syntax import check_source
from testcanon.vcs import read_blobs


@dataclass
class Version:
    """One version of the file, parsed once."""

    commit: str
    date: str
    subject: str
    text: str
    tree: ast.Module
    lines: list[str]



def history_versions(root: Path, relpath: str, wanted: set[str], *, naming: TestNaming = DEFAULT,
                     limit: int = 200) -> list[Version]:
    """Compiling versions of the file, newest first, until every wanted id has a version that holds it."""
    versions: list[Version] = []
    missing = set(wanted)
    history = file_history(root, relpath)[:limit]
    position = 0
    for size in (8, 32, limit):  # most files find every test in the newest versions: read those first
        chunk = history[position:position + size]
        position += len(chunk)
        for (commit, _, date, subject), content in zip(chunk,
                                                       read_blobs(root, [(c, p) for c, p, _, _ in chunk]),
                                                       strict=True):
            if not missing:
                return versions
            if content is None:
                continue
            try:
                tree = ast.parse(content)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            live = live_test_ids(tree, naming)
            by_name = {i.split("::")[-1] for i in live if "::" in i}
            renamed = {i for i in missing if "::" in i and i.split("::")[-1] in by_name}
            if not live & missing and not renamed:
                continue
            if check_source(content) is not None:  # the full compile, only for a version that is a candidate
                continue
            text = content.decode("utf-8", "replace")
            versions.append(Version(commit, date, subject, text, tree, text.split("\n")))
            missing -= live | renamed
        if not missing or position >= len(history):
            break
    return versions


def replaced_by_placeholder(root: Path, relpath: str, tree: ast.Module, *, naming: TestNaming = DEFAULT,
                            limit: int = 200) -> list[str]:
    """The tests a placeholder replaced without keeping them as comments: when today's file has a
    placeholder test whose reason says the file was broken (CANON702), the test ids live in the
    newest compiling version of the file that today's file no longer has."""
    placeholders = {s.test_id for s in find_skipped_tests(tree, has_tombstones=False, naming=naming)
                    if s.kind == "placeholder"}
    if not placeholders:
        return []
    today = live_test_ids(tree, naming)
    history = file_history(root, relpath)[:limit]
    position = 0
    for size in (8, 32, limit):
        chunk = history[position:position + size]
        position += len(chunk)
        for content in read_blobs(root, [(c, p) for c, p, _, _ in chunk]):
            if content is None or check_source(content) is not None:
                continue
            try:
                then = ast.parse(content)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            live = live_test_ids(then, naming)
            # An older placeholder (the corpus renamed `TestPlaceholder` to `PlaceholderTests`) is
            # no lost test: its tests, and a class that holds only such tests, are not wanted back.
            stand_ins = {s.test_id for s in find_skipped_tests(then, has_tombstones=True, naming=naming)
                         if s.kind == "placeholder"}
            classes = {node.name for node in then.body if isinstance(node, ast.ClassDef)} & live
            empty = {c for c in classes if not {i for i in live if i.startswith(f"{c}::")} - stand_ins}
            gone = live - today - placeholders - stand_ins - empty
            if gone:
                return sorted(gone)
        if position >= len(history):
            break
    return []
