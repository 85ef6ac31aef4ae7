// A cross-process lock on a host-global port. The seed's flask-service.yaml asks for nodePort 30001, and a NodePort
// listens on the host, not in the cluster: two test files (or a test and a benchmark) that run the seed's Service
// on a real node at the same time would answer each other's requests. Holders take an O_EXCL lock file in the
// temp directory named for the port; a lock whose holder died is taken over.
import { openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };

/** Waits (bounded) until this process holds the lock on `port`; returns the release function. */
export async function lockHostPort(port: number, timeoutMs = 15 * 60_000): Promise<() => void> {
  const path = join(tmpdir(), `nanokube-host-port-${port}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => { if (!released) { released = true; rmSync(path, { force: true }); } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try { holder = Number(readFileSync(path, 'utf8')); } catch { continue; /* released meanwhile */ }
    // A holder that died left its file: remove it (a file just created, not yet written, reads as NaN: wait).
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) { rmSync(path, { force: true }); continue; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for host port ${port} (held by pid ${holder}, lock ${path})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Takes the lock on `port` for the rest of test `t` (released in t.after, also when the test fails). */
export async function holdHostPort(t: { after(fn: () => unknown): void }, port: number): Promise<void> {
  const release = await lockHostPort(port);
  t.after(release);
}
