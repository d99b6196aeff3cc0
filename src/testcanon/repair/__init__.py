"""Repair: verified automatic repair of files that do not compile (`canon fix`)."""

from testcanon.repair.fixer import FileVerdict, fix_files

__all__ = ["FileVerdict", "fix_files"]
