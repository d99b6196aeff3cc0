"""Dry-run diffs: a last line without a newline is marked as git marks it."""

from __future__ import annotations

from testcanon.output.diff import unified


def test_a_last_line_without_newline_is_marked_and_ends_the_diff_with_a_newline() -> None:
    text = unified(b"a = 1\nb = 2", b"a = 1\nb = 3", "x.py")
    assert text.endswith("+b = 3\n\\ No newline at end of file\n")
    assert "-b = 2\n\\ No newline at end of file\n" in text
    assert text.startswith("--- a/x.py\n+++ b/x.py\n")


def test_a_new_file_diffs_against_dev_null() -> None:
    assert unified(b"", "x = 1\n", "new.py", old_path="/dev/null").startswith("--- /dev/null\n+++ b/new.py\n")
