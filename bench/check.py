"""`canon check` on a real repository: findings per rule, the plan's headline counts, cold and warm time.

    python bench/check.py PATH [--exclude GLOB ...]

Excludes are added to the repository's own config (e.g. backup and archive folders). Cold =
no caches; warm = the same command again with nothing changed. Both are the real CLI in a
subprocess.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(root: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "testcanon", "check", "--format", "json", "-o", out.name,
                        "--exit-zero", "--no-baseline"], cwd=root, check=True,
                       )
        elapsed = time.perf_counter() - started
        return elapsed, json.loads(Path(out.name).read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--exclude", action="append", default=[], help="extra exclude globs")
    args = parser.parse_args()
    root = args.path.resolve()
    pyproject = root / "pyproject.toml"
    original = pyproject.read_bytes() if pyproject.exists() else None
    try:
        if args.exclude:
            extra = "\n[tool.testcanon]\nextend_exclude = " + json.dumps(args.exclude) + "\n"
            text = (original or b"").decode()
            if "[tool.testcanon]" in text:
                raise SystemExit("the repository already has [tool.testcanon]; pass no --exclude")
            pyproject.write_text(text + extra)
        shutil.rmtree(root / ".testcanon" / "cache", ignore_errors=True)
        cold, document = run(root)
        warm, _ = run(root)
    finally:
        if original is not None:
            pyproject.write_bytes(original)
    metrics = document["metrics"]
    bypass = metrics["runner_bypasses"]
    rows = [("python files", metrics["python_files"]), ("test files", metrics["test_files"])]
    rows += [(f"findings {code}", count) for code, count in document["statistics"].items()]
    rows += [
        ("base-class violations (CANON101)", metrics["base_class_violations"]),
        ("distinct home-made base classes", len(document["home_made_bases"])),
        ("base_class_variants", metrics["base_class_variants"]),
        ("runner bypasses: total", bypass["total"]),
        ("runner bypasses: python", bypass["python"]), ("runner bypasses: shell", bypass["shell"]),
        ("runner bypasses: CI YAML", bypass["ci_yaml"]), ("runner bypasses: other", bypass["other"]),
        ("orchestration duplication clusters", metrics["orchestration_duplication_clusters"]),
        ("env accesses", metrics["env_accesses"]), ("relative imports", metrics["relative_imports"]),
        ("mocks in real-service tests", metrics["mocks_in_real_service_tests"]),
        ("syntax errors", metrics["syntax_errors"]),
        ("wall time cold (s)", f"{cold:.1f}"), ("wall time warm (s)", f"{warm:.2f}"),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:,} |" if isinstance(value, int) else f"| {name} | {value} |")
    print("\ntop home-made bases:")
    for base in document["home_made_bases"][:10]:
        print(f"  {base['test_classes']:>5}  {base['qualified_name']}  ({base['path']}:{base['line']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
