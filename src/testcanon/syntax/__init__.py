"""Syntax: which files cannot even be compiled (`canon scan`)."""

from testcanon.syntax.compile_check import KIND_CODES, Problem, check_source, compiled_tree
from testcanon.syntax.scan import ScanReport, default_jobs, scan

__all__ = ["KIND_CODES", "Problem", "ScanReport", "check_source", "compiled_tree", "default_jobs", "scan"]
