"""`canon run --combine DIR`: join the JSON results of a sharded run, and prove it complete.

Each shard's `--json` file records its plan's digest, its index, the count and the node ids it
planned. Joined, every shard 1..N must be there exactly once, all from the same plan, and
every planned test must have run exactly once: a test that ran zero times or twice fails the
combine, whatever the shards' own exit codes said.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.errors import UsageError


@dataclass
class Combined:
    count: int
    digest: str
    shards: list[int]
    tests: list[dict[str, object]]
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    shard_exit_codes: dict[int, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.problems or self.missing or self.duplicated:
            return 1
        return 1 if any(self.shard_exit_codes.values()) else 0

    def to_json(self) -> dict[str, object]:
        return {"exit_code": self.exit_code, "shard_count": self.count, "digest": self.digest,
                "shards": self.shards, "problems": self.problems, "missing": self.missing,
                "duplicated": self.duplicated,
                "shard_exit_codes": {str(k): v for k, v in sorted(self.shard_exit_codes.items())},
                "tests": self.tests}


def combine(directory: Path) -> Combined:
    files = sorted(directory.glob("*.json")) if directory.is_dir() else []
    documents = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and isinstance(document.get("shard"), dict):
            documents.append((path, document))
    if not documents:
        raise UsageError(f"{directory}: no shard results (JSON files written by "
                         "`canon run --shard K/N --json FILE`)")
    first = documents[0][1]["shard"]
    count, digest = int(first["count"]), str(first["digest"])
    problems: list[str] = []
    planned: set[str] = set()
    seen_shards: Counter[int] = Counter()
    ran: Counter[str] = Counter()
    tests: list[dict[str, object]] = []
    exit_codes: dict[int, int] = {}
    for path, document in documents:
        shard = document["shard"]
        if str(shard.get("digest")) != digest or int(shard.get("count", 0)) != count:
            problems.append(f"{path.name}: shard {shard.get('index')}/{shard.get('count')} follows another "
                            f"plan (digest {shard.get('digest')}, expected {digest})")
            continue
        index = int(shard["index"])
        seen_shards[index] += 1
        exit_codes[index] = max(exit_codes.get(index, 0), int(document.get("exit_code", 1)))
        planned.update(str(n) for n in shard.get("planned", []))
        for test in document.get("tests", []):
            if test.get("outcome") == "collection_error":
                continue
            ran[str(test["nodeid"])] += 1
            tests.append({**test, "shard": index})
    for index in range(1, count + 1):
        if seen_shards[index] == 0:
            problems.append(f"shard {index}/{count} has no results")
        elif seen_shards[index] > 1:
            problems.append(f"shard {index}/{count} has {seen_shards[index]} result files")
    missing = sorted(n for n in planned if ran[n] == 0)
    duplicated = sorted(n for n, times in ran.items() if times > 1)
    return Combined(count, digest, sorted(seen_shards), tests, problems, missing, duplicated, exit_codes)
