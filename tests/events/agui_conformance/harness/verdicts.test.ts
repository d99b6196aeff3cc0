// AG-UI's own verdicts on every case: verifyEvents alone, the event schema alone, and the two as the
// client runs them (transform/http.ts parses each event with EventSchemas before verifyEvents).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { from, lastValueFrom } from "rxjs";
import { map, toArray } from "rxjs/operators";
import { EventSchemas } from "@ag-ui/core";
import { verifyEvents } from "./client/verify/verify-real";

type Verdict = { valid: boolean; index: number | null; error: string | null };

async function run(events: any[], parse: boolean, verify: boolean): Promise<Verdict> {
  let accepted = 0;
  let stream = from(events).pipe(map((e) => (parse ? EventSchemas.parse(e) : e)));
  if (verify) stream = stream.pipe(verifyEvents(false));
  try {
    await lastValueFrom(stream.pipe(map((e) => { accepted += 1; return e; }), toArray()));
    return { valid: true, index: null, error: null };
  } catch (err: any) {
    const message = err?.issues ? `schema: ${err.issues[0].path.join(".")}: ${err.issues[0].message}` : String(err?.message);
    return { valid: false, index: accepted, error: message };
  }
}

test("verdicts", async () => {
  const dir = process.env.CASES_DIR!;
  const out: Record<string, any> = {};
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) {
    const events = readFileSync(path.join(dir, name), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    out[name] = {
      verify: await run(events, false, true),
      schema: await run(events, true, false),
      client: await run(events, true, true),
    };
  }
  writeFileSync(process.env.VERDICTS_OUT!, JSON.stringify(out, null, 1) + "\n");
});
