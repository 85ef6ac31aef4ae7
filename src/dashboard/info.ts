// <home>/dashboard.json: where the running server's dashboard answers, written by the server process once it listens
// and removed when it stops, so `nanokube dashboard` finds it (the port is any free one unless --dashboard-port).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_FILE = 'dashboard.json';

export interface DashboardInfo {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The API server the dashboard forwards to. */
  apiServer: string;
  /** The server process's pid (a stale file from a crash names a dead process). */
  pid: number;
}

export function writeDashboardInfo(home: string, info: DashboardInfo): () => void {
  const file = join(home, DASHBOARD_FILE);
  writeFileSync(file, JSON.stringify(info) + '\n', { mode: 0o600 });
  return () => {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as DashboardInfo).pid === info.pid) rmSync(file, { force: true });
    } catch { /* gone */ }
  };
}

export function readDashboardInfo(home: string): DashboardInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(join(home, DASHBOARD_FILE), 'utf8')) as DashboardInfo;
    return typeof v.url === 'string' && typeof v.apiServer === 'string' ? v : undefined;
  } catch { return undefined; }
}
