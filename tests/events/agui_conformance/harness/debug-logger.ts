export type DebugLoggerInput = any;
export function resolveDebugLogger(input: any): any {
  return input && typeof input === "object" ? input : undefined;
}
