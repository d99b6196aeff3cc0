// Recording wrapper: every stream a test pushes into verifyEvents is recorded in full.
import { Observable } from "rxjs";
import { verifyEvents as realVerify } from "./verify-real";
import { expect } from "vitest";

export const recorded: { name: string; events: any[] }[] = ((globalThis as any).__aguiRecorded ??= []);
const counters = new Map<string, number>();

export const verifyEvents = (debugLogger?: any) => (source$: Observable<any>): Observable<any> => {
  const test = expect.getState().currentTestName ?? "unknown";
  const n = (counters.get(test) ?? 0) + 1;
  counters.set(test, n);
  const entry = { name: n === 1 ? test : `${test} #${n}`, events: [] as any[] };
  recorded.push(entry);
  source$.subscribe({ next: (e) => entry.events.push(JSON.parse(JSON.stringify(e))), error: () => {} });
  return realVerify(debugLogger)(source$);
};
