"""A definition a bulk rename renamed while its uses kept the old name, on small real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

from testcanon.analysis.pytest_config import PytestConfig
from testcanon.repair import history
from testcanon.repair.renamed_definition import Repository, restore_renamed_definitions
from testcanon.source import GlobSet

AUTHOR = ("import pytest\n\n\nclass Settings:\n    debug = False\n\n\n"
          "@pytest.fixture\ndef settings() -> Settings:\n    return Settings()\n\n\n"
          "def test_debug_off(settings):\n    assert settings.debug is False\n")


def _repo(root: Path, versions: list[dict[str, str]]) -> Path:
    root.mkdir()
    run = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*run, "init", "-q"], cwd=root, check=True)
    for number, files in enumerate(versions):
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        subprocess.run([*run, "add", "-A"], cwd=root, check=True)
        subprocess.run([*run, "commit", "-qm", f"v{number}"], cwd=root, check=True)
    history._file_history.cache_clear()
    return root


def _restore(root: Path, missing: str, config: PytestConfig | None = None):
    source = (root / "test_settings.py").read_bytes()
    return restore_renamed_definitions(_repository(root, config), "test_settings.py", source, missing)


def _repository(root: Path, config: PytestConfig | None = None) -> Repository:
    return Repository(root, config or PytestConfig(), GlobSet(["backups"]))


def test_the_definition_gets_back_the_name_history_and_its_uses_say(tmp_path: Path) -> None:
    renamed = AUTHOR.replace("class Settings:", "class SettingsTests:")
    root = _repo(tmp_path / "r", [{"test_settings.py": AUTHOR}, {"test_settings.py": renamed}])
    text, renaming = _restore(root, "Settings")
    assert text.decode() == AUTHOR
    assert renaming.names == ((4, "SettingsTests", "Settings"),)


def test_a_renamed_test_class_is_left_when_pytest_would_collect_other_tests(tmp_path: Path) -> None:
    """Renamed into `python_classes`, the class's tests are collected under the new name: giving
    the old name back would take them out of collection."""
    author = AUTHOR + "\n\nclass Checks:\n    def test_settings(self):\n        assert Settings\n"
    renamed = author.replace("class Checks:", "class TestChecks:")
    root = _repo(tmp_path / "r", [{"test_settings.py": author}, {"test_settings.py": renamed}])
    source = (root / "test_settings.py").read_bytes().replace(b"assert Settings", b"assert Checks")
    (root / "test_settings.py").write_bytes(source)
    assert restore_renamed_definitions(_repository(root), "test_settings.py", source, "Checks") is None


def test_a_new_name_another_file_uses_is_left(tmp_path: Path) -> None:
    renamed = AUTHOR.replace("class Settings:", "class SettingsTests:")
    root = _repo(tmp_path / "r", [{"test_settings.py": AUTHOR},
                                  {"test_settings.py": renamed,
                                   "conftest.py": "from test_settings import SettingsTests\n"}])
    assert _restore(root, "Settings") is None


def test_a_copy_in_an_excluded_folder_does_not_hold_the_new_name(tmp_path: Path) -> None:
    renamed = AUTHOR.replace("class Settings:", "class SettingsTests:")
    root = _repo(tmp_path / "r", [{"test_settings.py": AUTHOR},
                                  {"test_settings.py": renamed, "backups/test_settings.py": renamed}])
    text, _ = _restore(root, "Settings")
    assert text.decode() == AUTHOR


def test_a_name_no_version_defined_is_not_guessed(tmp_path: Path) -> None:
    broken = AUTHOR.replace("-> Settings:", "-> Configuration:")
    root = _repo(tmp_path / "r", [{"test_settings.py": AUTHOR}, {"test_settings.py": broken}])
    assert _restore(root, "Configuration") is None


def test_a_renamed_class_whose_tests_pytest_collects_keeps_its_new_name(tmp_path: Path) -> None:
    """`Checks` became `ChecksTests` (collected under `*Tests`): its tests are collected now, so it
    keeps its name, while `Settings` gets its own back."""
    author = AUTHOR + ("\n\nclass Checks:\n    def test_more(self):\n        assert True\n\n\n"
                       "def make_checks():\n    return Checks()\n")
    renamed = author.replace("class Settings:", "class SettingsTests:").replace("class Checks:",
                                                                                 "class ChecksTests:")
    root = _repo(tmp_path / "r", [{"test_settings.py": author}, {"test_settings.py": renamed}])
    naming = PytestConfig(python_classes=("Test*", "*Tests"))
    text, renaming = _restore(root, "Settings", naming)
    assert text.decode() == renamed.replace("class SettingsTests:", "class Settings:")
    assert renaming.names == ((4, "SettingsTests", "Settings"),)
