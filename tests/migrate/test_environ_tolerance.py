"""The form of a re-base that warns, for code under test that writes os.environ."""

from __future__ import annotations

from testcanon.migrate.environ_tolerance import environ_written, tolerate

CHECK = ("test changed os.environ directly: CELERY_BROKER_URL (<unset> -> ''), _MP_FORK_LOGFILE_ "
         "(<unset> -> 'x'); use self.env.set/delete (restored now)")


def test_the_variables_are_read_only_when_every_failure_is_the_environment_check() -> None:
    assert environ_written([CHECK, "Failed: " + CHECK]) == ["CELERY_BROKER_URL", "_MP_FORK_LOGFILE_"]
    assert environ_written([CHECK, "AssertionError: assert 1 == 2"]) is None
    assert environ_written([CHECK, None]) is None  # a test that got worse without a message
    assert environ_written([]) is None


def test_the_setting_goes_first_in_each_class_named_after_its_docstring() -> None:
    source = (b'class TestA(SSotTestBase):\n    """Doc."""\n\n    def test_x(self):\n        pass\n\n\n'
              b"class TestB(SSotTestBase):\n    def test_y(self):\n        pass\n")
    new = tolerate(source, ["TestA"], ["X"])
    assert new == source.replace(b'"""Doc."""\n', b'"""Doc."""\n    on_environ_change = "warn"  '
                                                  b"# the code under test writes os.environ (X)\n")


def test_a_class_that_already_chooses_is_left_as_it_is() -> None:
    source = (b'class TestA(SSotTestBase):\n    on_environ_change = "fail"\n\n'
              b"    def test_x(self):\n        pass\n")
    assert tolerate(source, ["TestA"], ["X"]) is None
    assert tolerate(source, ["TestOther"], ["X"]) is None
