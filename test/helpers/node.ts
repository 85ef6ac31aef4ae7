// What the tests of the real node share: why they skip (runc cannot run here) and a pod network of their own.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runcUnavailableReason } from '../../src/kubelet/index.js';

const why = runcUnavailableReason();
/** The `skip` option for tests that run the real node: false, or "skipped: <why runc cannot run>". */
export const realNodeSkip: string | false = why ? `skipped: ${why}` : false;

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };
const held: string[] = [];
process.once('exit', () => { for (const f of held) rmSync(f, { force: true }); });

/** The second octets of 10.x.0.0/16 networks the host has routes into (from /proc/net/route). */
function routedSlash16s(): Set<number> {
  const out = new Set<number>();
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const dest = line.split('\t')[1];
      if (!dest || dest === '00000000') continue;
      const n = parseInt(dest, 16); // little-endian: the first octet is the lowest byte
      if ((n & 0xff) === 10) out.add((n >>> 8) & 0xff);
    }
  } catch { /* not Linux */ }
  return out;
}

/**
 * A /16 of its own for each cluster (10.160.0.0/16 .. 10.223.0.0/16). Two clusters on one host with the same pod
 * subnet route each other's pod IPs to the wrong bridge, so each /16 is reserved across processes (test files run in
 * parallel) by an O_EXCL lock file naming this process; it is kept until the process exits, and a lock whose holder
 * died is taken over.
 */
export function ownCIDR(): string {
  const start = Math.floor(Math.random() * 64);
  const take = (file: string): boolean => {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.push(file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return false;
    }
  };
  const routed = routedSlash16s();
  for (let i = 0; i < 64; i++) {
    const n = 160 + ((start + i) % 64);
    // A subnet the host already routes (a bridge a killed cluster left) would shadow this cluster's pod IPs.
    if (routed.has(n)) continue;
    const file = join(tmpdir(), `nanokube-test-cidr-10.${n}.lock`);
    if (take(file)) return `10.${n}.0.0/16`;
    let holder = NaN;
    try { holder = Number(readFileSync(file, 'utf8')); } catch { /* released meanwhile */ }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(file, { force: true });
      if (take(file)) return `10.${n}.0.0/16`;
    }
  }
  throw new Error('no free test pod subnet in 10.160.0.0/11 (64 clusters hold one)');
}
