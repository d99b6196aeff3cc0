"""Precision (and recall against labelled misses) of `canon check`, per rule, on a real repository.

    python bench/precision.py REPO [--labels bench/labels/NAME.toml] [--sample 10] [--seed 19]
                              [--python VENV] [--path P ...] [--show] [--template]

Draws a seeded random sample of findings per rule (the same sample for the same findings),
prints each with its source context when asked (`--show`), and compares it with a labels file
curated by reading the code:

    [findings."<fingerprint>"]
    code = "CANON101"
    where = "tests/test_x.py:12"
    label = "tp"            # or "fp"
    reason = "plain pytest class on no base; pytest collects it (python_classes = Test)"

    [[misses]]              # findings that should exist (for recall)
    code = "CANON202"
    where = "tox.ini:18"
    reason = "..."

Prints one row per rule: findings, sampled, labelled, true and false positives, precision over
the labelled sample, and recall over the labelled misses. `--template` prints TOML for the
sampled findings that have no label yet, to curate. Scans never import the repository's code;
`--python` names the environment whose site-packages answer third-party base questions.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from testcanon.config import load_project  # noqa: E402
from testcanon.findings import Finding  # noqa: E402
from testcanon.rules import check_project  # noqa: E402


def sample(findings: list[Finding], size: int, seed: int) -> dict[str, list[Finding]]:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(findings, key=lambda f: (f.fingerprint, f.path, f.line)):
        by_code[finding.code].append(finding)
    return {code: sorted(random.Random(f"{seed}:{code}").sample(items, min(size, len(items))),
                         key=lambda f: (f.path, f.line))
            for code, items in sorted(by_code.items())}


def context(root: Path, finding: Finding, around: int = 2) -> str:
    try:
        lines = (root / finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    start, end = max(finding.line - 1 - around, 0), min(finding.line + around, len(lines))
    return "\n".join(f"    {n + 1:>5}{'>' if n + 1 == finding.line else ' '} {lines[n]}"
                     for n in range(start, end))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--python", help="the repository's environment (for installed bases)")
    parser.add_argument("--path", action="append", default=[], help="check only these paths (repeatable)")
    parser.add_argument("--show", action="store_true", help="print each sampled finding with context")
    parser.add_argument("--template", action="store_true", help="print TOML for unlabelled sampled findings")
    args = parser.parse_args(argv)
    if args.python:
        os.environ["VIRTUAL_ENV"] = args.python
    root = args.repo.resolve()
    paths = [root / p for p in args.path]
    result = check_project(load_project(root), paths)  # the facts cache is exact (keyed by content)
    findings = [f for f in result.findings if f.code.startswith("CANON") and not f.code.startswith("CANON00")]
    labels: dict = {}
    misses: list[dict] = []
    if args.labels and args.labels.exists():
        data = tomllib.loads(args.labels.read_text(encoding="utf-8"))
        labels, misses = data.get("findings", {}), data.get("misses", [])
    drawn = sample(findings, args.sample, args.seed)
    counts = defaultdict(int)
    for finding in findings:
        counts[finding.code] += 1
    present = {(f.code, f"{f.path}:{f.line}") for f in findings}
    rows = []
    template = []
    for code, items in drawn.items():
        tp = fp = 0
        for finding in items:
            label = labels.get(finding.fingerprint)
            if args.show:
                mark = label["label"].upper() if label else "??"
                print(f"[{mark}] {finding.code} {finding.path}:{finding.line}:{finding.column} "
                      f"{finding.message}")
                if label:
                    print(f"    label: {label.get('reason', '')}")
                print(context(root, finding))
            if label is None:
                template.append(finding)
            elif label["label"] == "tp":
                tp += 1
            else:
                fp += 1
        code_misses = [m for m in misses if m["code"] == code]
        found = sum(1 for m in code_misses if (code, m["where"]) in present)
        precision = f"{tp / (tp + fp):.0%}" if tp + fp else "-"
        recall = f"{found}/{len(code_misses)}" if code_misses else "-"
        rows.append((code, counts[code], len(items), tp + fp, tp, fp, precision, recall))
    for code in sorted({m["code"] for m in misses} - set(drawn)):
        rows.append((code, 0, 0, 0, 0, 0, "-", f"0/{sum(1 for m in misses if m['code'] == code)}"))
    print(f"\n{args.repo}  (sample {args.sample}/rule, seed {args.seed})")
    print(f"{'rule':<9} {'findings':>8} {'sampled':>7} {'labelled':>8} {'TP':>4} {'FP':>4} "
          f"{'precision':>9} {'recall':>7}")
    for row in rows:
        print(f"{row[0]:<9} {row[1]:>8} {row[2]:>7} {row[3]:>8} {row[4]:>4} "
              f"{row[5]:>4} {row[6]:>9} {row[7]:>7}")
    if args.template and template:
        print("\n# unlabelled sampled findings:")
        for finding in template:
            print(f'\n[findings."{finding.fingerprint}"]\ncode = "{finding.code}"\n'
                  f'where = "{finding.path}:{finding.line}"\nlabel = ""\nreason = ""  # '
                  f'{finding.message[:90]}')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
