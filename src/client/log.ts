// Structured logging for client-side machinery: one JSON line per event (DESIGN.md §5). Injectable so tests can
// capture lines and components can route them to their own logger. Never pass Secret data or tokens.

export type LogEntry = { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown };
export type LogFn = (entry: LogEntry) => void;

export const stderrLog: LogFn = (entry) => {
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), ...entry }) + '\n');
};

/** For tests and quiet components. */
export const discardLog: LogFn = () => undefined;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
