"""A crafted `.testcanon/journal/*/manifest.json` never makes undo act outside the project.

Each case plants a manifest a hostile tarball or repository could ship, runs the real
`canon undo`, and checks: exit 2, one line on stderr naming the reason, no traceback, and
nothing outside the project (nor inside it) created, deleted or written.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from journal_support import snapshot

from canon_support import run_canon
from testcanon.errors import JournalError
from testcanon.journal import Journal

RUN = "20260101T000000-000"
PWNED = b"pwned\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """A project and, beside it, a folder standing for everything outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.py").write_bytes(b"precious\n")
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.testcanon]\n")
    (root / "tests" / "test_a.py").write_bytes(b"def test_a():\n    pass\n")
    return root, outside


def _plant(root: Path, entries: list[dict[str, Any]] | Any, *, format: object = 2, backup: bytes = PWNED,
           run_id: str = RUN, raw: bytes | None = None) -> Path:
    run_dir = root / ".testcanon" / "journal" / run_id
    (run_dir / "files").mkdir(parents=True)
    (run_dir / "files" / "0").write_bytes(backup)
    document = {"format": format, "id": run_id, "command": "canon fix", "created": 1.0, "status": "done",
                "entries": entries}
    (run_dir / "manifest.json").write_bytes(raw if raw is not None else json.dumps(document).encode())
    return run_dir


def _entry(path: str, **fields: Any) -> dict[str, Any]:
    base = {"path": path, "existed": True, "mode": 0o644, "backup": "files/0", "old_sha": _sha(PWNED),
            "new_sha": _sha(b"precious\n"), "created_dirs": []}
    return {**base, **fields}


def _undo_refuses(root: Path, outside: Path, *args: str, reason: str) -> None:
    before_outside, before_inside = snapshot(outside), snapshot(root)
    result = run_canon("undo", *args, cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert reason in lines[0], lines[0]
    assert snapshot(outside) == before_outside
    assert snapshot(root) == before_inside


pytestmark = pytest.mark.slow


def test_dotdot_path_neither_created_nor_deleted(world: tuple[Path, Path]) -> None:
    root, outside = world
    _plant(root, [_entry("../outside/victim.py", existed=False, backup=None, old_sha=None),
                  _entry("../X", existed=False, backup=None, old_sha=None, new_sha=_sha(b""))])
    _undo_refuses(root, outside, reason="cannot be trusted")
    assert not (root.parent / "X").exists()


def test_absolute_path_refused(world: tuple[Path, Path]) -> None:
    root, outside = world
    _plant(root, [_entry(str(outside / "victim.py"))])
    _undo_refuses(root, outside, reason="is absolute")


def test_symlinked_parent_leading_out_refused(world: tuple[Path, Path]) -> None:
    root, outside = world
    (root / "evil").symlink_to(outside)
    _plant(root, [_entry("evil/victim.py")])
    _undo_refuses(root, outside, reason="outside the project")
    assert (outside / "victim.py").read_bytes() == b"precious\n"


def test_empty_digest_never_matches_a_missing_file(world: tuple[Path, Path]) -> None:
    root, outside = world
    _plant(root, [_entry("tests/gone.py", new_sha="")], format=1)
    _undo_refuses(root, outside, reason="new_sha is not a sha256 digest")
    assert not (root / "tests" / "gone.py").exists()


@pytest.mark.parametrize("version", [99, "2", None, True])
def test_unknown_format_refused(world: tuple[Path, Path], version: object) -> None:
    root, outside = world
    _plant(root, [_entry("tests/test_a.py")], format=version)
    _undo_refuses(root, outside, reason="unknown journal format")


@pytest.mark.parametrize("backup", ["../../../../outside/victim.py", "/etc/hostname",
                                    "files/../manifest.json"])
def test_backup_outside_the_run_refused(world: tuple[Path, Path], backup: str) -> None:
    root, outside = world
    _plant(root, [_entry("tests/test_a.py", backup=backup)])
    _undo_refuses(root, outside, reason="is not files/<n>")


def test_created_folders_must_be_the_files_own_parents(world: tuple[Path, Path]) -> None:
    root, outside = world
    (outside / "empty").mkdir()
    _plant(root, [_entry("tests/new.py", existed=False, backup=None, old_sha=None,
                         created_dirs=["../outside/empty"])])
    _undo_refuses(root, outside, reason="cannot be trusted")
    assert (outside / "empty").is_dir()


@pytest.mark.parametrize("raw", [b"[]", b"{not json", b"[" * 100000, b"\xff\xfe"])
def test_garbage_manifest_is_a_one_line_error(world: tuple[Path, Path], raw: bytes) -> None:
    root, outside = world
    _plant(root, [], raw=raw)
    _undo_refuses(root, outside, reason="cannot be trusted")


def test_backup_that_is_a_symlink_is_not_read(world: tuple[Path, Path]) -> None:
    root, outside = world
    run_dir = _plant(root, [_entry("tests/test_a.py", new_sha=_sha(b"def test_a():\n    pass\n"),
                                   old_sha=_sha(b"precious\n"))])
    (run_dir / "files" / "0").unlink()
    (run_dir / "files" / "0").symlink_to(outside / "victim.py")
    _undo_refuses(root, outside, reason="missing or damaged")


def test_journal_folder_that_is_a_symlink_is_refused(world: tuple[Path, Path]) -> None:
    root, outside = world
    (root / ".testcanon").mkdir()
    (outside / "journal").mkdir()
    (root / ".testcanon" / "journal").symlink_to(outside / "journal")
    _undo_refuses(root, outside, reason="not a folder of this project")


@pytest.mark.parametrize("run_id", ["../../outside", "/etc", RUN + "/../" + RUN])
def test_run_id_argument_is_a_name_not_a_path(world: tuple[Path, Path], run_id: str) -> None:
    root, outside = world
    _undo_refuses(root, outside, run_id, reason="no run")


def test_git_and_testcanon_paths_are_never_written(world: tuple[Path, Path]) -> None:
    root, outside = world
    _plant(root, [_entry(".git/hooks/pre-commit", existed=False, backup=None, old_sha=None)])
    _undo_refuses(root, outside, reason="inside .testcanon or .git")


def test_setuid_bits_of_a_manifest_are_dropped(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"new")
    run_dir = _plant(tmp_path, [_entry("a.py", mode=0o4755, new_sha=_sha(b"new"))])
    assert run_dir.is_dir()
    Journal(tmp_path).undo()
    assert target.read_bytes() == PWNED
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_a_trusted_older_run_can_still_be_undone_by_id(world: tuple[Path, Path]) -> None:
    root, _ = world
    target = root / "tests" / "test_a.py"
    original = target.read_bytes()
    with Journal(root).start("canon fix") as run:
        run.write(target, b"changed\n")
    good = run.info.id
    _plant(root, [_entry("../X")], run_id="29990101T000000-000")
    with pytest.raises(JournalError, match="cannot be trusted"):
        Journal(root).undo()
    listing = run_canon("undo", "--list", cwd=root)
    assert "unreadable" in listing.stdout and good in listing.stdout
    Journal(root).undo(good)
    assert target.read_bytes() == original
    assert os.path.exists(root / "tests" / "test_a.py")


@pytest.mark.parametrize("status", ["open", "undoing"])
def test_a_strangers_unfinished_run_never_makes_a_command_write_a_file(world: tuple[Path, Path],
                                                                        status: str) -> None:
    """Recovery completes an interrupted run without being asked: it must only ever touch files
    for runs written under this project's own lock, not for one shipped in a tarball."""
    root, outside = world
    target = root / "tests" / "test_a.py"
    current = target.read_bytes()
    entry = _entry("tests/test_a.py", inplace=True, new_sha=_sha(b"something else"))
    if status == "undoing":
        entry["new_sha"] = _sha(current)
    run_dir = _plant(root, [] if status == "open" else [entry])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["status"] = status
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    (run_dir / "entries.jsonl").write_text(json.dumps({"op": "intent", "index": 0, "entry": entry}) + "\n")
    before = snapshot(root)
    listing = run_canon("undo", "--list", cwd=root)
    assert listing.returncode == 0, listing.stderr
    assert target.read_bytes() == current
    assert {k: v for k, v in snapshot(root).items() if not k.startswith(".testcanon")} == \
        {k: v for k, v in before.items() if not k.startswith(".testcanon")}


def test_a_symlinked_state_folder_is_never_written_through(world: tuple[Path, Path]) -> None:
    root, outside = world
    (root / ".testcanon").symlink_to(outside)
    _undo_refuses(root, outside, reason="is a symbolic link")
    assert not (outside / "lock").exists()
