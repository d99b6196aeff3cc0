"""The local method's guarantees every repair must meet (each damage pattern's own examples run in
test_pattern_examples.py)."""

from __future__ import annotations

import ast

from testcanon.analysis.inventory import names_in_broken
from testcanon.repair.local import repair_local
from testcanon.repair.verify import verify


def test_nul_bytes_and_undeclared_latin1() -> None:
    assert repair_local(b"def test_a():\n    pass\0\n").fixed == b"def test_a():\n    pass\n"
    fixed = repair_local(b"def test_a():\n    s = 'caf\xe9'\n").fixed
    assert fixed is not None and fixed.startswith(b"# -*- coding: cp1252 -*-\n")


def test_version_specific_fstring_is_reported_and_rewritten_only_on_request() -> None:
    source = b'def test_a():\n    d = {"k": 1}\n    assert f"{d["k"]}" == "1"\n'
    plain = repair_local(source)
    assert plain.fixed is None and plain.version_specific
    rewritten = repair_local(source, rewrite_version_specific=True)
    assert rewritten.fixed is not None and b"f\"{d['k']}\"" in rewritten.fixed


def test_every_pep_701_form_is_version_specific_and_damage_is_not() -> None:
    newer = [b'def test_a():\n    text = "a"\n    assert f"{text.split(\'\\n\')[0]}" == "a"\n',  # a backslash
             # a line break
             b'def test_b():\n    x = 1\n    assert f"total: {\n        x + 1\n    }" == "total: 2"\n']
    for source in newer:
        assert repair_local(source).version_specific, source
    damaged = b'def test_c():\n    name = "x"\n    assert f"{name} == "x"\n'  # a quote lost, on any Python
    assert not repair_local(damaged).version_specific


def test_a_candidate_that_compiles_but_drops_a_test_is_rejected() -> None:
    broken = b"def test_keep():\n    pass\n\ndef test_lost(:\n    pass\n"
    compiles_but_loses = b"def test_keep():\n    pass\n"
    verdict = verify(broken, compiles_but_loses)
    assert not verdict.ok and "would lose 1 test(s): test_lost" in verdict.reason


def test_a_test_moved_out_of_its_class_counts_as_lost() -> None:
    broken = b"class TestA:\n    def test_x(self)\n        pass\n"
    moved = b"class TestA:\n    pass\ndef test_x(self):\n    pass\n"
    assert not verify(broken, moved).ok
    assert verify(broken, b"class TestA:\n    def test_x(self):\n        pass\n").ok


def test_inventory_works_on_unparsable_text() -> None:
    text = "class TestA:\n    def test_one(self):\n        x = (\n\ndef test_two():\n    '''doc\n"
    assert names_in_broken(text) == {(None, "TestA"), ("TestA", "test_one"), (None, "test_two")}


def test_a_test_named_helper_class_with_an_init_is_not_a_test_class() -> None:
    """pytest does not collect it, so a repair may leave it out; a unittest base may be collected
    whatever its __init__, and a class defined twice counts when one definition is collectable."""
    text = ("class TestConnection:\n    def __init__(self):\n        self.sent = []\n"
            "    def test_send(self):\n        pass\n"
            "class TestCase2(unittest.TestCase):\n    def __init__(self, name):\n        pass\n"
            "class TestOnce:\n    def __init__(self):\n        pass\n"
            "class TestOnce:\n    def test_a(self):\n        pass\n")
    assert names_in_broken(text) == {(None, "test_send"), (None, "TestCase2"), (None, "TestOnce"),
                                     ("TestOnce", "test_a")}


def test_a_test_class_pytest_would_collect_nothing_from_is_not_counted() -> None:
    """An empty `Test*` class with no base yields no test item (a fixer script injected such
    classes by the dozen); one with a base may inherit tests, a nested test class gives its own."""
    text = ("class TestSyntaxFix:\n    \"\"\"Test class for orphaned methods\"\"\"\n\n"
            "class TestInherits(BaseCase):\n    pass\n"
            "class TestOuter:\n    class TestInner:\n        def test_a(self):\n            pass\n")
    assert names_in_broken(text) == {(None, "TestInherits"), (None, "TestOuter"), (None, "TestInner"),
                                     ("TestInner", "test_a")}


def test_a_test_seen_in_a_class_pytest_does_not_run_may_be_defined_anywhere() -> None:
    """The damage flattened a test class's header away, so its tests read as methods of the helper
    above it: their class is not recoverable, their names still are required."""
    broken = (b"class MockPool:\n    def acquire(self):\n        return 1\n"
              b"    def test_pool_reuse(self)\n        assert True\n")
    assert names_in_broken(broken.decode()) == {(None, "test_pool_reuse")}
    elsewhere = (b"class MockPool:\n    def acquire(self):\n        return 1\n\n"
                 b"class TestPool:\n    def test_pool_reuse(self):\n        assert True\n")
    assert verify(broken, elsewhere).ok
    dropped = b"class MockPool:\n    def acquire(self):\n        return 1\n"
    assert not verify(broken, dropped).ok
    in_a_unittest_class = (b"class PoolTests(unittest.TestCase):\n"
                           b"    def test_pool_reuse(self)\n        pass\n")
    assert names_in_broken(in_a_unittest_class.decode()) == {("PoolTests", "test_pool_reuse")}


def test_unfixable_file_is_reported_with_a_reason() -> None:
    result = repair_local(b"def test_a():\n    return ((((((((\n" + b"]]]]" * 3 + b"\n")
    assert result.fixed is None or verify(b"def test_a():\n", result.fixed).ok


def test_doubled_triple_quotes_around_a_docstring_are_collapsed() -> None:
    broken = (b"import os\n'''\n'''\nModule docs: costs $15K MRR (>200ms).\n'''\n'''\n\n"
              b"def test_a():\n    assert os\n")
    result = repair_local(broken)
    assert result.fixed is not None, result.reason
    assert result.fixed == (b"import os\n'''\nModule docs: costs $15K MRR (>200ms).\n'''\n\n"
                            b"def test_a():\n    assert os\n")


def test_damage_in_many_definitions_is_mended_one_definition_at_a_time() -> None:
    """Each definition has its own damage; the search from the first error alone gives up."""
    body = "".join(f"    def test_{i}(self):\n    value = compute({i}\n    assert value)\n\n"
                   for i in range(12))
    broken = "class TestMany:\n" + body
    result = repair_local(broken.encode())
    assert result.fixed is not None, result.reason
    tree = ast.parse(result.fixed)
    assert {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} == {
        f"test_{i}" for i in range(12)}
    cls = tree.body[0]
    assert isinstance(cls, ast.ClassDef) and len(cls.body) == 12  # every body stayed inside its def


def test_a_broken_definition_is_taken_from_a_donor_version_and_new_work_is_kept() -> None:
    donor = "def test_old():\n    assert compute(1) == 2\n"
    current = "def test_old():\n    assert compute(1 == 2 ))\n    )\n\ndef test_new():\n    assert True\n"
    result = repair_local(current.encode(), donors=[donor])
    assert result.fixed is not None, result.reason
    assert "assert compute(1) == 2" in result.fixed.decode() and "def test_new" in result.fixed.decode()


def test_a_clause_after_a_broken_clause_in_a_flattened_block_does_not_crash_the_search() -> None:
    broken = "def test_a():\n    try:\n    x = 1\n    except ValueError\n    finally:\n    pass\n"
    result = repair_local(broken.encode())  # found by the corpus bench: an IndexError in the re-flow
    assert result.fixed is not None or result.reason


def test_a_repair_never_comments_code_out_nor_moves_a_body_out_of_its_block() -> None:
    """Both would compile and keep every test name, and both change what the test does: an
    assertion gone, or a body left outside its `def` behind an inserted `pass`."""
    cases = [
        b"def test_a():\n    x = 1\n    if x:\n    assert x ]]\n",
        b"class TestMany:\n    def test_0(self):\n    value = compute(0\n    assert value)\n",
        b"def test_b():\n    try:\n        x = 1\n    finally:\n    @@@ not python\n",
    ]
    for broken in cases:
        result = repair_local(broken)
        if result.fixed is None:
            continue  # unfixable is an acceptable verdict; a wrong repair is not
        fixed = result.fixed.decode()
        assert "# " not in fixed and "pass\n" not in fixed.replace(broken.decode(), ""), fixed
        function = next(node for node in ast.walk(ast.parse(fixed)) if isinstance(node, ast.FunctionDef))
        assert len(function.body) >= 2, fixed  # the body stayed in the function



def test_a_diagnosis_lists_every_definition_no_edit_mends() -> None:
    """`unmended` keeps trying after the first failure, so a bench can tell how far a file is
    from a repair; without it the walk stops at the first (no repair of the file can verify)."""
    from testcanon.repair.units import repair_by_units

    text = ("def test_a():\n    x = (\n\n\ndef test_fine():\n    assert 1\n\n\n"
            "def test_b():\n    y = [\n\n\ndef test_c():\n    z = {\n")
    tried: list[str] = []

    def mend_only_brackets(unit: str, definition: bool) -> str | None:
        tried.append(unit.split("(")[0])
        return unit.replace("{", "{}") if "{" in unit else None

    names: list[str] = []
    assembled, notes = repair_by_units(text, mend_only_brackets, unmended=names)
    assert assembled is None and names == ["test_a", "test_b"]
    assert notes[-1] == "test_a: could not be repaired on its own"
    assert tried == ["def test_a", "def test_b", "def test_c"]
    tried.clear()
    assert repair_by_units(text, mend_only_brackets)[0] is None
    assert tried == ["def test_a"]


def test_a_candidate_that_parses_but_does_not_compile_is_rejected() -> None:
    """Guarantee 1 is the interpreter's compile, not only its parser: `await` in a plain
    function parses, and fails every import of the file."""
    broken = b"class TestA:\n    def test_x(self)\n        await asyncio.sleep(0)\n"
    parses_only = b"class TestA:\n    def test_x(self):\n        await asyncio.sleep(0)\n"
    ast.parse(parses_only)
    assert not verify(broken, parses_only).ok


def test_a_definitions_unit_may_end_in_module_code_but_its_body_may_not_spill() -> None:
    """A unit runs to the next definition: a class a script put above the module docstring
    carries the docstring and imports in its unit. Repairs that keep them are accepted; one
    that moves a body line out to column 0 is not."""
    from testcanon.repair.local import _one_definition

    unit = (b"def get_messages(self) -> list:\n    await asyncio.sleep(0)\nreturn self.sent\n\n"
            b'"""Module docstring."""\n\nimport os\n')
    mended = (b'def get_messages(self) -> list:\n    return self.sent\n\n'
              b'"""Module docstring."""\n\nimport os\n')
    assert _one_definition(unit, mended)
    spilled = (b'def get_messages(self) -> list:\n    pass\nreturn_value = 1\n\n'
               b'"""Module docstring."""\n\nimport os\n')
    assert not _one_definition(b"def get_messages(self) -> list:\n    return_value = 1 +\n\n"
                               b"\"\"\"Module docstring.\"\"\"\n\nimport os\n",
                               spilled)


def test_a_unit_is_checked_as_a_fragment_and_the_file_as_a_whole() -> None:
    """A nested definition taken out of its function cannot bind its `nonlocal`, and the code
    after it may await: only the parser judges a unit; the compiler judges the whole file."""
    from testcanon.repair.units import compiles

    assert compiles(["async def mock_send(data):", "    nonlocal count", "    count += 1"])
    assert compiles(["def helper():", "    return 1", "", "await asyncio.gather(a, b)"])
    assert not verify(b"x = (\n", b"await asyncio.gather(a, b)\n").ok
    assert verify(b"x = (\n", b"await asyncio.gather(a, b)\n", parse_only=True).ok
