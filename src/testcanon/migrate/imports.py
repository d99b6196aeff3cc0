"""CANON401 codemod: relative imports in test code become absolute."""

from __future__ import annotations

import libcst as cst

from testcanon.analysis import module_name
from testcanon.migrate.common import dotted


class Absolutize(cst.CSTTransformer):
    def __init__(self, module: str, is_package: bool, roots: list[str]) -> None:
        self.package = module.split(".") if is_package else module.split(".")[:-1]
        self.roots = roots
        self.changed = 0

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        level = len(updated.relative)
        if not level:
            return updated
        base = self.package[: len(self.package) - (level - 1)] if level > 1 else list(self.package)
        if level - 1 > len(self.package):
            return updated  # above the top: cannot be made absolute
        rest = dotted(updated.module) if updated.module else ""
        target = ".".join([*base, rest] if rest else base)
        for root in self.roots:
            prefix = root.strip("/").replace("/", ".") + "."
            if target.startswith(prefix):
                target = target[len(prefix):]
        if not target:
            return updated
        self.changed += 1
        return updated.with_changes(relative=[], module=cst.parse_expression(target))



def absolutize(module: cst.Module, relpath: str, roots: list[str]) -> tuple[cst.Module, int]:
    transformer = Absolutize(module_name(relpath), relpath.endswith("__init__.py"), roots)
    return module.visit(transformer), transformer.changed
