"""Each codemod on tricky inputs, and idempotence."""

from __future__ import annotations

import ast

import libcst as cst

from testcanon.migrate.base_class import rebase
from testcanon.migrate.environment import migrate_environment
from testcanon.migrate.imports import absolutize
from testcanon.migrate.runner_bypass import canon_command, drop_main_blocks, rewrite_commands


def _rebase(source: str, *, test_file: bool = True) -> tuple[str, list[str], list[str]]:
    module, rebased, review = rebase(cst.parse_module(source), is_test_file=test_file)
    return module.code, rebased, review


def test_rebase_keeps_comments_decorators_and_other_bases() -> None:
    source = ('import unittest as ut\nimport pytest\n\n\n@pytest.mark.unit\n'
              'class TestA(Mixin, ut.TestCase):  # the first one\n'
              '    # setUp forgot super()\n    def setUp(self):\n        self.x = 1\n\n'
              '    def test_x(self):\n        assert self.x\n')
    code, rebased, _ = _rebase(source)
    assert rebased == ["TestA"]
    assert "from testcanon import SSotBaseTestCase" in code
    assert "class TestA(Mixin, SSotBaseTestCase):  # the first one" in code
    assert "@pytest.mark.unit" in code and "# setUp forgot super()" in code
    assert "    def setUp(self):\n        super().setUp()\n        self.x = 1" in code


def test_async_tests_get_the_async_base_and_nested_classes_are_left() -> None:
    source = ("from unittest import TestCase, IsolatedAsyncioTestCase\n\n"
              "class TestMixed(TestCase):\n    def test_a(self): ...\n    async def test_b(self): ...\n\n"
              "class TestAsync(IsolatedAsyncioTestCase):\n    async def asyncSetUp(self):\n"
              "        self.y = 2\n\n"
              "class TestOuter:\n    class Inner(TestCase):\n        def test_i(self): ...\n")
    code, rebased, _ = _rebase(source)
    assert rebased == ["TestMixed", "TestAsync"]
    assert "class TestMixed(SSotAsyncTestCase)" in code and "class TestAsync(SSotAsyncTestCase)" in code
    assert "await super().asyncSetUp()" in code
    assert "class Inner(TestCase)" in code


def test_home_made_base_is_rebased_unless_it_fights_the_canonical_one() -> None:
    good, rebased, review = _rebase("import unittest\n\n"
                                    "class BaseTest(unittest.TestCase):\n    timeout = 3\n",
                                    test_file=False)
    assert rebased == ["BaseTest"] and review == []
    bad, rebased, review = _rebase("import os, unittest\n\nclass EnvBase(unittest.TestCase):\n"
                                   "    def tearDown(self):\n        os.environ.clear()\n", test_file=False)
    assert rebased == [] and "writes os.environ" in review[0]
    assert "SSotBaseTestCase" not in bad
    _, rebased, review = _rebase("import unittest\n\nclass Waits(unittest.TestCase):\n"
                                 "    def wait_for(self, c): ...\n", test_file=False)
    assert rebased == [] and "wait_for" in review[0]


def _env(source: str) -> str:
    module = migrate_environment(cst.parse_module(source)).module
    return module.code


def test_environment_in_ssot_methods_functions_and_helpers() -> None:
    source = ("import os\nfrom os import environ as E, getenv\nfrom testcanon import SSotBaseTestCase\n\n"
              "class TestS(SSotBaseTestCase):\n    def test_s(self):\n"
              "        os.environ['A'] = '1'\n        assert os.environ['A'] == getenv('A', 'x')\n"
              "        del E['A']\n        assert 'A' not in os.environ\n\n"
              "def test_f(monkeypatch):\n    monkeypatch.setenv('B', 2)\n"
              "    assert os.environ.get('B') == '2'\n\n"
              "def helper():\n    return os.environ.copy()\n")
    code = _env(source)
    assert "        self.env.set('A', '1')\n        assert self.env['A'] == self.env.get('A', 'x')" in code
    # KeyError when unset, as `del`
    assert "        self.env.pop('A')\n        assert 'A' not in self.env" in code
    assert "def test_f(monkeypatch, isolated_env):\n    isolated_env.set('B', str(2))" in code
    assert "isolated_env.get('B') == '2'" in code
    assert "canon_env = IsolatedEnvironment(sync_to_os=True)" in code and "return canon_env.as_dict()" in code


def test_patch_dict_becomes_overlay_with_clear_as_a_with_or_a_decorator_but_not_on_a_class() -> None:
    code = _env("import os\nfrom unittest.mock import patch\n\ndef test_p():\n"
                "    with patch.dict(os.environ, {'X': '1'}):\n        pass\n"
                "    with patch.dict(os.environ, values={'Y': '1'}, Z='2', clear=True):\n        pass\n"
                "    with patch.dict('os.environ', {'S': '1'}):\n        pass\n\n"
                "@patch.dict(os.environ, {'D': '1'})\nasync def test_d():\n    pass\n\n"
                "@patch.dict(os.environ, {'C': '1'})\nclass TestC:\n    def test_c(self):\n        pass\n")
    assert "with isolated_env.overlay({'X': '1'}):" in code
    assert "with isolated_env.overlay({'Y': '1'}, Z='2', clear=True):" in code
    assert "with isolated_env.overlay({'S': '1'}):" in code  # the dictionary named by its import path
    assert "@canon_env.overlay({'D': '1'})\nasync def test_d():" in code  # decorators run at import
    assert "@patch.dict(os.environ, {'C': '1'})\nclass TestC:" in code


def test_decorators_and_defaults_use_the_enclosing_scope_and_nested_functions_give_the_test_its_fixture(
) -> None:
    code = _env("import os\nimport pytest\nfrom testcanon import SSotBaseTestCase\n\n"
                "class TestS(SSotBaseTestCase):\n    @pytest.mark.skipif(not os.getenv('CI'), reason='ci')\n"
                "    def test_s(self, url=os.environ.get('URL')):\n        os.environ.pop('A', None)\n\n"
                "def test_f(n=1):\n    def inner():\n        return os.environ.setdefault('B', '2')\n"
                "    os.environ.update(C='3')\n    os.environ.clear()\n")
    assert "@pytest.mark.skipif(not canon_env.get('CI'), reason='ci')" in code
    assert "def test_s(self, url=canon_env.get('URL')):\n        self.env.pop('A', None)" in code
    assert "def test_f(isolated_env, n=1):\n    def inner():\n" in code  # before the defaulted one
    assert "        return isolated_env.setdefault('B', '2')\n    isolated_env.update(C='3')\n" in code
    assert "    isolated_env.clear()\n" in code


def test_environment_copies_convert_but_mocks_of_it_are_reported() -> None:
    module, converted, skipped, notes = migrate_environment(cst.parse_module(
        "import os\nfrom unittest.mock import patch\n\ndef test_a():\n    saved = dict(os.environ)\n"
        "    with patch.object(os.environ, '__setitem__', side_effect=KeyError):\n        pass\n"))
    assert "    saved = isolated_env.as_dict()\n" in module.code and converted == 1
    assert "patch.object(os.environ, '__setitem__'" in module.code and notes == []
    assert [note.split(" ", 1)[0] for note in skipped] == ["os.environ"]


def test_patch_dict_whose_import_a_bulk_edit_dropped_converts_with_a_note_but_a_bound_name_is_respected(
) -> None:
    module, converted, _, notes = migrate_environment(cst.parse_module(
        "import os\n\ndef test_b():\n    with mock.patch.dict(os.environ, {'A': '1'}):\n        pass\n\n"
        "def test_c(patch):\n    with patch.dict(os.environ, {'B': '1'}):\n        pass\n"))
    assert "    with isolated_env.overlay({'A': '1'}):\n" in module.code and converted == 1
    assert "    with patch.dict(os.environ, {'B': '1'}):\n" in module.code  # a parameter: not mock's
    assert notes == ["`mock.patch.dict` was never imported here (it raised NameError); converted as "
                     "unittest.mock.patch.dict"]


def test_a_project_name_that_matches_a_canonical_one_is_never_shadowed_nor_taken_for_it() -> None:
    source = ("import os\nimport unittest\nfrom shared.isolated_environment import IsolatedEnvironment\n"
              "from test_framework.ssot.base_test_case import SSotBaseTestCase\n\n"
              "class TestOurs(SSotBaseTestCase):\n    def test_a(self):\n        os.getenv('A')\n\n"
              "class TestU(unittest.TestCase):\n    def test_b(self):\n        os.getenv('B')\n")
    rebased, _, _ = rebase(cst.parse_module(source), is_test_file=True)
    code = migrate_environment(rebased).module.code
    assert "from testcanon import SSotBaseTestCase as CanonSSotBaseTestCase\n" in code
    assert "from testcanon import IsolatedEnvironment as CanonIsolatedEnvironment\n" in code
    assert "canon_env = CanonIsolatedEnvironment(sync_to_os=True)" in code
    # no self.env there
    assert "class TestOurs(SSotBaseTestCase):\n    def test_a(self):\n        canon_env.get('A')" in code
    assert "class TestU(CanonSSotBaseTestCase):\n    def test_b(self):\n        self.env.get('B')" in code
    again, _, _ = rebase(cst.parse_module(code), is_test_file=True)
    assert migrate_environment(again).module.code == code


def test_relative_imports_become_absolute() -> None:
    module, count = absolutize(cst.parse_module("from . import a\nfrom ..helpers.x import y  # keep\n"),
                               "tests/unit/test_r.py", [])
    assert count == 2
    assert module.code == "from tests.unit import a\nfrom tests.helpers.x import y  # keep\n"
    module, _ = absolutize(cst.parse_module("from .core import run\n"), "src/pkg/__init__.py", ["src"])
    assert module.code == "from pkg.core import run\n"


def test_main_blocks_removed_or_hinted_but_other_main_blocks_kept() -> None:
    source = "import pytest\n\ndef test_a(): ...\n\nif __name__ == '__main__':\n    pytest.main([__file__])\n"
    module, removed = drop_main_blocks(cst.parse_module(source), mode="remove", relpath="tests/test_a.py")
    assert removed == 1 and "__main__" not in module.code
    module, _ = drop_main_blocks(cst.parse_module(source), mode="hint", relpath="tests/test_a.py")
    assert module.code.rstrip().endswith("# Run with: canon run tests/test_a.py")
    kept = "if __name__ == '__main__':\n    serve()\n"
    assert drop_main_blocks(cst.parse_module(kept), mode="remove", relpath="x.py")[1] == 0


def test_command_rewrite_keeps_yaml_comments_and_layout() -> None:
    assert canon_command("python -m pytest tests/unit -x -m e2e", "canon run") == \
        "canon run tests/unit -- -x -m e2e"
    assert canon_command("FOO=1 pytest", "canon run") == "FOO=1 canon run"
    yaml_text = ("# CI (keep me)\njobs:\n  t:\n    steps:\n      - run: |\n          pip install .\n"
                 "          python -m pytest tests -q  # fast\n")
    new = rewrite_commands(".github/workflows/ci.yml", yaml_text, "canon run").text
    assert new == yaml_text.replace("python -m pytest tests -q", "canon run tests -- -q")


def test_a_command_continued_over_lines_keeps_its_layout_and_its_options_go_to_pytest() -> None:
    yaml_text = ("jobs:\n  t:\n    steps:\n      - run: |\n"
                 "          python -m pytest tests/pre/test_env.py \\\n"
                 "            -v \\\n            -m \"pre and env\"\n      - run: |\n"
                 "          pytest ${{ inputs.test_path }} \\\n            --base-url=\"$URL\"\n"
                 "      - run: |\n          pytest \\\n            tests/unit\n")
    result = rewrite_commands(".github/workflows/ci.yml", yaml_text, "canon run")
    new = result.text
    assert result.count == 1
    assert ("          canon run tests/pre/test_env.py -- \\\n            -v \\\n"
            "            -m \"pre and env\"\n") in new
    assert "          pytest ${{ inputs.test_path }} \\\n" in new  # a template: could be paths and options
    assert [why.split(" ")[0] for *_, why in result.left] == ["`${{", "a"]
    assert "          pytest \\\n            tests/unit\n" in new  # a path after `--` would change what runs


def test_codemods_are_idempotent() -> None:
    source = ("import os, unittest\n\nclass TestI(unittest.TestCase):\n    def test_i(self):\n"
              "        assert os.environ.get('A') is None\n")
    once, _, _ = rebase(cst.parse_module(source), is_test_file=True)
    once = migrate_environment(once).module
    twice, rebased, _ = rebase(once, is_test_file=True)
    twice, converted, _, _ = migrate_environment(twice)
    assert (rebased, converted) == ([], 0) and twice.code == once.code


def test_the_cheap_pre_check_sees_exactly_the_unittest_bases_the_codemod_rewrites() -> None:
    from testcanon.migrate.base_class import may_rebase

    assert may_rebase(b"import unittest\nclass TestA(unittest.TestCase):\n    pass\n")
    assert may_rebase(b"from unittest import TestCase as T\nclass TestA(T):\n    pass\n")
    assert may_rebase(b"import unittest as ut\nclass TestA(ut.IsolatedAsyncioTestCase):\n    pass\n")
    assert not may_rebase(b"from unittest.mock import patch\nfrom fw import SSotBaseTestCase\n"
                          b"class TestA(SSotBaseTestCase):\n    pass\n")
    assert not may_rebase(b"import unittest\nclass TestA(\n")  # does not parse: nothing to rewrite


def test_names_are_resolved_from_imports_only_when_they_settle_it() -> None:
    """The environment codemod skips LibCST's scope analysis when the imports alone say what
    every name is; a name also bound otherwise, or a star import, leaves it to the analysis."""
    from testcanon.migrate.common import import_origins

    origins = import_origins(ast.parse("import os\nimport os.path\nfrom unittest import mock as m\n"
                                       "def test_a(patch):\n    x = 1\n"))
    assert origins is not None
    assert (origins["os"], origins["m"]) == ("os", "unittest.mock")
    assert origins["patch"] == "<local>.patch" and origins["test_a"] == "<local>.test_a"
    assert import_origins(ast.parse("import os\ndef f():\n    os = None\n")) is None  # shadowed
    assert import_origins(ast.parse("from os import *\n")) is None
    assert import_origins(ast.parse("try:\n    import json as j\n"
                                    "except ImportError:\n    import simplejson as j\n")) is None
    shadowed = "import os\n\ndef test_a():\n    os = FakeOs()\n    os.environ['A'] = '1'\n"
    assert migrate_environment(cst.parse_module(shadowed)).module.code == shadowed
