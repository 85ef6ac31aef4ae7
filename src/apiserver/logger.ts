// Structured logs, one JSON line per event (DESIGN.md §5). Never pass Secret data or tokens in fields.
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(component: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const log = (level: string, msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ ts: new Date().toISOString(), level, component, msg, ...fields }) + '\n');
  return { info: (m, f) => log('info', m, f), error: (m, f) => log('error', m, f) };
}

export const silentLogger: Logger = { info() {}, error() {} };
