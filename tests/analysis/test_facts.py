"""Typed facts: what one parse of a file yields, and the cache's plain-data round trip."""

from __future__ import annotations

import dataclasses
import marshal

import pytest

from testcanon.analysis import FileFacts, PytestConfig, extract, is_test_file
from testcanon.findings import Finding

SOURCE = b'''\
import os
from unittest import mock
from .helpers import wait  # canon: ignore[CANON401] kept on purpose
import pytest


@pytest.mark.integration
class TestOrders(Base):
    def __init__(self):
        pass

    async def test_create(self, mocker):
        os.environ["A"] = "1"


if __name__ == "__main__":
    pytest.main([__file__])
'''


def test_one_parse_gives_typed_frozen_facts() -> None:
    facts = extract(SOURCE, "tests/test_orders.py", shapes=True)
    assert isinstance(facts, FileFacts)
    (cls,) = facts.classes
    assert (cls.name, cls.bases, cls.tests, cls.async_tests, cls.has_init) == (
        "TestOrders", ("Base",), ("test_create",), ("test_create",), True)
    assert [(o.line, o.detail) for o in facts.env] == [(13, "os.environ")]
    assert [(o.line, o.detail) for o in facts.relative_imports] == [(3, "tests.helpers")]
    assert [o.line for o in facts.mock_imports] == [2]
    assert [o.line for o in facts.mocker_uses] == [12]
    assert [(o.line, o.detail) for o in facts.bypasses] == [(16, "main-block")]
    assert facts.markers == ("integration",) and facts.marker_lines == (("integration", 7),)
    assert facts.suppressions[3].codes == ("CANON401",)
    assert facts.aliases["wait"] == "tests.helpers.wait"
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.module = "other"  # type: ignore[misc]


def test_facts_survive_the_marshal_cache_unchanged() -> None:
    facts = extract(SOURCE, "tests/test_orders.py", shapes=True)
    assert facts is not None
    assert FileFacts.from_data(marshal.loads(marshal.dumps(facts.to_data()))) == facts


def test_a_file_that_does_not_parse_has_no_facts() -> None:
    assert extract(b"def broken(:\n", "tests/test_x.py") is None


def test_is_test_file_follows_pytests_python_files() -> None:
    assert is_test_file("tests/test_a.py") and is_test_file("pkg/a_test.py")
    assert not is_test_file("tests/helpers.py") and not is_test_file("tests/test_a.txt")
    checks = PytestConfig(python_files=("check_*.py", "suite/*.py"))
    assert is_test_file("t/check_a.py", checks) and is_test_file("suite/anything.py", checks)
    assert not is_test_file("tests/test_a.py", checks)


def test_a_finding_is_frozen_in_fact() -> None:
    finding = Finding("CANON101", "m", "tests/test_a.py", data={"class": "TestA"})
    with pytest.raises(TypeError):
        finding.data["root"] = "unittest.TestCase"  # type: ignore[index]
    with pytest.raises(TypeError):
        finding.data.update(root="x")  # type: ignore[attr-defined]
    assert finding.to_json()["data"] == {"class": "TestA"}
