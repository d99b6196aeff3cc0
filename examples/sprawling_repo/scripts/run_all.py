"""Run every test folder one after another (the 'fast path' script from the wiki)."""

import subprocess
import sys

FOLDERS = ["tests/unit", "tests/integration", "tests/e2e"]


def main():
    failures = 0
    for folder in FOLDERS:
        result = subprocess.run(["pytest", folder, "-q"])
        failures += result.returncode != 0
    return failures


if __name__ == "__main__":
    sys.exit(main())
