"""Putting back a quote a bulk edit moved to the end of its line: the best candidate is the original."""

from __future__ import annotations

import pytest

from testcanon.analysis.inventory import names_in_broken
from testcanon.repair.local import repair_local
from testcanon.repair.quotes import (
    moved_quote_candidates,
    moved_quotes_everywhere,
    plausible,
    quote_stripped_arguments,
    reads_as_code,
)

# (damaged, original): each quote moved the way the corpus's bulk edit moved them
MOVED = [
    ('        "timeout: timeout_s,"', '        "timeout": timeout_s,'),
    ('hits = [r for r in rows if "ok in r]"', 'hits = [r for r in rows if "ok" in r]'),
    ('run_id=run_fail_1","', 'run_id="run_fail_1",'),
    ('return fuser_{uid}_ok", len(tries)"', 'return f"user_{uid}_ok", len(tries)'),
    ('errors.append(f{path}: {type(e).__name__}: {e}")"',
     'errors.append(f"{path}: {type(e).__name__}: {e}")'),
    ('pytest.fail("No config files found)"', 'pytest.fail("No config files found")'),
    ('    assert payload["sub] == "user-1""', '    assert payload["sub"] == "user-1"'),
    ('total = sum(r.get("elapsed, 0) for r in rows)"', 'total = sum(r.get("elapsed", 0) for r in rows)'),
    ('assert ok, fToken check failed for {kind}: {error}""',
     'assert ok, f"Token check failed for {kind}: {error}"'),
    ('logger.info(f"Event recorded: {event_type})"', 'logger.info(f"Event recorded: {event_type}")'),
    ('return "\\n.join(report)"', 'return "\\n".join(report)'),
    ('await data["client].close()"', 'await data["client"].close()'),
    ('"text": data.get("response", "),"', '"text": data.get("response", ""),'),
    ('def make_id(suffix: str = ") -> str:"', 'def make_id(suffix: str = "") -> str:'),
    ('logger.info(SUCCESS: All components are available")"',
     'logger.info("SUCCESS: All components are available")'),
    ('reason=Ready for message processing""', 'reason="Ready for message processing"'),
    ('kinds = [e.get(type") for e in events]"', 'kinds = [e.get("type") for e in events]'),
    ('print([U+1F916] STEP 2: Request")"', 'print("[U+1F916] STEP 2: Request")'),
    ("x = data['key] == 1'", "x = data['key'] == 1"),
]


@pytest.mark.parametrize(("damaged", "original"), MOVED)
def test_the_best_candidate_is_the_original_line(damaged: str, original: str) -> None:
    candidates = [line for line, _ in moved_quote_candidates(damaged)]
    assert candidates and candidates[0] == original


def test_lines_without_a_moved_quote_get_no_candidate() -> None:
    for line in ('x = "a"', 'x = 1', '"""Docstring."""', 'x = 1  # a "comment"', "    "):
        assert list(moved_quote_candidates(line)) == [] or line == 'x = "a"'
    assert [line for line, _ in moved_quote_candidates('x = "a"')] != ['x = "a"']


def test_reads_as_code_rejects_values_side_by_side_and_broken_fields() -> None:
    assert reads_as_code('assert data["key"] == 1')
    assert reads_as_code("value = compute(1,")  # brackets may stay open for the next line
    assert not reads_as_code('print("Nothing" found)')  # a string, then a name
    assert not reads_as_code("assert a b")
    assert not reads_as_code('log(f"total: {count")')  # a replacement field the quote cut
    assert not reads_as_code('print(["a")')  # closed by the wrong bracket
    assert reads_as_code("match = find(x)") and reads_as_code("case_id = type_of(x)")
    assert reads_as_code('", ".join(names)') and not reads_as_code('path.endswith("utf-8".file)')
    assert not plausible('logger.info(f"Event": {e})')  # reads as code, but no line can hold it
    assert plausible("return x") and plausible("await x") and plausible('reason="ok",')


def test_every_broken_line_of_a_definition_is_mended_at_once() -> None:
    lines = ['def test_a(data):', '    assert data["sub] == 1"', '    assert data.get("mail) == 2"',
             '    x = "fine"']
    mended, changed = moved_quotes_everywhere(lines)
    assert changed == 2
    assert mended == ['def test_a(data):', '    assert data["sub"] == 1', '    assert data.get("mail") == 2',
                      '    x = "fine"']


def test_a_file_full_of_moved_quotes_is_repaired_and_keeps_its_tests() -> None:
    broken = "\n".join([
        "def test_payload(handler):",
        '    payload = handler.validate("token, "access")"',
        '    assert payload["sub] == "user-1""',
        '    assert payload.get("email) == "a@b.c""',
        '    assert set(payload.get("roles, [])) == {"admin"}"',
        "",
        "def test_message():",
        '    print(fchecked {1} items")"',
        "",
    ])
    result = repair_local(broken.encode(), expected=names_in_broken(broken))
    assert result.fixed is not None
    fixed = result.fixed.decode()
    assert '    assert payload["sub"] == "user-1"\n' in fixed
    assert '    assert payload.get("email") == "a@b.c"\n' in fixed
    assert '    print(f"checked {1} items")\n' in fixed


@pytest.mark.parametrize(("damaged", "original"), [
    ("        logger.info([U+1F4BE] Checking volume cleanup)",
     '        logger.info("[U+1F4BE] Checking volume cleanup")'),
    ("self.assertIn(User context required, str(error))",
     'self.assertIn("User context required", str(error))'),
    ("manager.side_effect = Exception(Manager creation failed)",
     'manager.side_effect = Exception("Manager creation failed")'),
    ('    raise Exception(Timing failure)"', '    raise Exception("Timing failure")'),
    ("print(f\u2705 {name} PASSED (all))", 'print(f"\u2705 {name} PASSED (all)")'),
    ("logger.info( CYCLE:  Checking daemon)", 'logger.info(" CYCLE:  Checking daemon")'),
    ("check(name=Some text here, count=3)", 'check(name="Some text here", count=3)'),
    ("    assert context is not None, VIOLATION: Local logic used",
     '    assert context is not None, "VIOLATION: Local logic used"'),
    ("assert score >= 3, f FAIL: Score {score} (need 3)",
     'assert score >= 3, f" FAIL: Score {score} (need 3)"'),
    ("        fROUTING VIOLATIONS: {len(v)} events to wrong users",
     '        f"ROUTING VIOLATIONS: {len(v)} events to wrong users"'),
    ("self.backend_url = http://localhost:8000", 'self.backend_url = "http://localhost:8000"'),
    ("return env.get(WS_URL, ws://localhost:8000)", 'return env.get(WS_URL, "ws://localhost:8000")'),
    ("pytest.fail(fSession timed out after 45s)", 'pytest.fail(f"Session timed out after 45s")'),
    ('for path in root.rglob(*.py):"', 'for path in root.rglob("*.py"):'),
    ("            fAuth timeout took {duration:.3f}s,", '            f"Auth timeout took {duration:.3f}s",'),
    ('                fREMEDIATION REQUIRED:\\n""', '                f"REMEDIATION REQUIRED:\\n"'),
    ("                f1. Remove the legacy module\\n", '                f"1. Remove the legacy module\\n"'),
    ("            fthis would block the handshake)", None),  # lowercase after `f`: could be a name
    ("            fThis would block the handshake {x})",
     '            f"This would block the handshake {x}")'),
    ("        validation_errors=[Test error, Other error],",
     '        validation_errors=["Test error", "Other error"],'),
])
def test_text_arguments_stripped_of_their_quotes_are_quoted(damaged: str, original: str) -> None:
    assert quote_stripped_arguments(damaged) == original


def test_arguments_that_read_as_code_stay_unquoted() -> None:
    assert quote_stripped_arguments("x = compute(a, b + 1, key=value)") is None
    assert quote_stripped_arguments('x = compute("a b", c d)') is None  # quotes elsewhere: another pattern
    assert quote_stripped_arguments("This line is prose and nothing else") is None  # a comment's job
    assert quote_stripped_arguments("        self.count = {))") is None  # bracket damage is not text
    assert quote_stripped_arguments("        mapping = {str(i): i for i in range(8)))") is None
