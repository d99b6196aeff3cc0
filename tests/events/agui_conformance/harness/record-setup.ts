import { afterAll } from "vitest";
import { writeFileSync, appendFileSync } from "node:fs";
afterAll(() => {
  const rec = (globalThis as any).__aguiRecorded ?? [];
  const file = process.env.AGUI_RECORD_OUT!;
  for (const r of rec) appendFileSync(file, JSON.stringify({ file: (globalThis as any).__testFile, ...r }) + "\n");
  (globalThis as any).__aguiRecorded = [];
});
