"""Rules: the SSOT compliance checks of `canon check`."""

from testcanon.rules.engine import CheckResult, check_project, rule_infos

__all__ = ["CheckResult", "check_project", "rule_infos"]
