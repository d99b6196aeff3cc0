"""Rule metadata of the file-health codes `canon scan` reports (CANON001-008)."""

from __future__ import annotations

from testcanon.findings import RuleInfo

SCAN_RULES: tuple[RuleInfo, ...] = (
    RuleInfo("CANON001", "syntax-error", "File does not compile: syntax error", "file-health"),
    RuleInfo("CANON002", "indentation-error", "File does not compile: indentation error",
             "file-health"),
    RuleInfo("CANON003", "tab-error", "File does not compile: inconsistent tabs and spaces",
             "file-health"),
    RuleInfo("CANON004", "encoding-error",
             "File cannot be decoded (invalid bytes for its PEP 263 encoding)", "file-health"),
    RuleInfo("CANON005", "null-bytes", "Source file contains NUL bytes", "file-health"),
    RuleInfo("CANON006", "unreadable", "File cannot be read", "file-health"),
    RuleInfo("CANON007", "binary", "A .py file holds binary content", "file-health"),
    RuleInfo("CANON008", "too-large", "File is larger than max_file_size and was not compiled",
             "file-health"),
)
