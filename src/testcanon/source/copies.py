"""Folders that hold copies of code rather than the code: backups, archives, vendored trees.

Repositories that grew by scripts keep snapshots (`backups/test_remediation_20250915/...`), an
`archived/` tree or a vendored package beside the real code. Such a folder is recognised by its
name. `canon init` proposes to exclude them; the import repair never takes a definition in one
for the home of a name the real code defines too.
"""

from __future__ import annotations

import re

COPY_FOLDER = re.compile(
    r"(^|[_.-])(backups?|archived?|archives|bak|deprecated|obsolete|old|orig)([_.-]|$)"
    r"|^(vendor(ed)?|_vendor|third_party|site-packages|legacy_tests)$", re.IGNORECASE)


def copy_folder(relpath: str) -> str | None:
    """The first folder of `relpath` (posix, relative) named like a copy, as a path, or None."""
    parts = relpath.split("/")[:-1]
    for depth, part in enumerate(parts, start=1):
        if COPY_FOLDER.search(part):
            return "/".join(parts[:depth])
    return None
