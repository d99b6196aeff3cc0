"""Rebuild the AG-UI conformance set: the cases from AG-UI's repository, the verdicts from its verifier.

    python tests/events/agui_conformance/build_cases.py /path/to/ag-ui /tmp/node-dir

`/tmp/node-dir` holds `npm install vitest@4 rxjs@7.8.1 zod@3`. The script copies AG-UI's core
sources and `verifyEvents` next to it (nothing of AG-UI is committed but the converted streams),
runs AG-UI's own verifier tests with `verifyEvents` wrapped so that every stream a test pushes into
it is recorded in full, converts those streams and the Dart and .NET SDKs' recorded fixtures into
`cases/*.jsonl`, then runs AG-UI's verifier and event schema on every case into `verdicts.json`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
CASES = HERE / "cases"
TS = Path("sdks/typescript/packages")
VITEST_RECORD = """import { defineConfig } from "vitest/config";
import path from "node:path";
export default defineConfig({
  resolve: { alias: { "@ag-ui/core": path.resolve("core/index.ts") } },
  test: { globals: true, setupFiles: ["./setup.ts"], include: [%s], pool: "forks" },
});
"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90]


def prepare(bed: Path, node: Path) -> Path:
    work = node / "agui"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(bed / TS / "core/src", work / "core")
    verify = work / "client/verify"
    shutil.copytree(bed / TS / "client/src/verify", verify)
    real = (verify / "verify.ts").read_text().replace('"@/debug-logger"', '"../debug-logger"')
    (verify / "verify-real.ts").write_text(real)
    (verify / "verify.ts").unlink()
    shutil.copy(HERE / "harness/record-verify.ts", verify / "verify.ts")
    shutil.copy(HERE / "harness/debug-logger.ts", work / "client/debug-logger.ts")
    shutil.copy(HERE / "harness/record-setup.ts", work / "setup.ts")
    shutil.copy(HERE / "harness/verdicts.test.ts", work / "verdicts.test.ts")
    return work


def vitest(work: Path, include: str, **env: str) -> None:
    (work / "vitest.config.mjs").write_text(VITEST_RECORD % include)
    import os

    subprocess.run([str(work.parent / "node_modules/.bin/vitest"), "run"], cwd=work, check=False,
                   env={**os.environ, **env}, timeout=600)


def write_case(name: str, events: list[dict], seen: set[str]) -> None:
    base, n = name, 2
    while name in seen:
        name, n = f"{base}-{n}", n + 1
    seen.add(name)
    (CASES / f"{name}.jsonl").write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in events))


def sse_sections(text: str) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        events, data = [], []
        for line in [*body.splitlines(), ""]:
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line.strip() and data:
                try:
                    events.append(json.loads("\n".join(data)))
                except ValueError:
                    events = []
                    break
                data = []
        if events and all(isinstance(e, dict) for e in events):
            sections[title.strip()] = events
    return sections


def main(bed: Path, node: Path) -> None:
    work = prepare(bed, node)
    recorded = node / "recorded.jsonl"
    recorded.unlink(missing_ok=True)
    vitest(work, '"client/verify/__tests__/verify.*.test.ts"', AGUI_RECORD_OUT=str(recorded))
    shutil.rmtree(CASES, ignore_errors=True)
    CASES.mkdir()
    seen: set[str] = set()
    for line in recorded.read_text().splitlines():
        entry = json.loads(line)
        if entry["events"]:
            write_case("ts-" + slug(entry["name"]), entry["events"], seen)
    dart = bed / "sdks/community/dart/test/fixtures"
    for name, events in json.loads((dart / "events.json").read_text()).items():
        if isinstance(events, list):
            write_case("dart-" + slug(name), events, seen)
    for name, events in sse_sections((dart / "sse_streams.txt").read_text()).items():
        write_case("dart-sse-" + slug(name), events, seen)
    dotnet = bed / "sdks/dotnet/tests/AGUI.Abstractions.UnitTests/Compatibility/Fixtures"
    for path in sorted(dotnet.glob("*.json")):
        events = json.loads(path.read_text())
        write_case("dotnet-" + slug(path.stem), events, seen)
        for i, event in enumerate(events):
            write_case(f"dotnet-{slug(path.stem)}-event-{i}", [event], seen)
    for entry in json.loads((bed / "sdks/fixtures/null-omission.json").read_text())["stream"]:
        write_case("fixtures-null-omission-" + slug(entry["name"]), [entry["input"]], seen)
    vitest(work, '"verdicts.test.ts"', CASES_DIR=str(CASES), VERDICTS_OUT=str(HERE / "verdicts.json"))
    commit = subprocess.run(["git", "-C", str(bed), "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    verdicts = json.loads((HERE / "verdicts.json").read_text())
    (HERE / "verdicts.json").write_text(json.dumps({"ag_ui_commit": commit, "cases": verdicts}, indent=1,
                                                   sort_keys=True) + "\n")
    print(f"{len(verdicts)} cases, verdicts from AG-UI {commit[:12]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
