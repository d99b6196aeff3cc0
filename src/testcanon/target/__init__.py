"""The target environment: which Python runs the project's own code.

Every command that executes project code (`run`, `collect`, the verification of `fix` and
`migrate`, `audit --collect`, coverage) asks `resolve_python` once and runs pytest with that
interpreter, never with testcanon's own unless nothing else is found. The truth about a test is
what pytest collects and runs in the project's environment with the project's configuration.
"""

from testcanon.target.python import TargetPython, resolve_python

__all__ = ["TargetPython", "resolve_python"]
