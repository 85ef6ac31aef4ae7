// Container cgroups. runc creates and removes each container's own cgroup (cgroupsPath) and applies CPU quota and
// shares there; nanokube keeps one cgroup of its own above it per container, under "/nanokube-<cluster hash>",
// because runc removes its cgroup the moment the container exits, and with it the evidence of an OOM kill:
//   - cgroup v1 (this host's memory hierarchy): the memory limit is set on nanokube's cgroup, so a container that
//     reached it shows memory.failcnt > 0 (or the high-water mark at the limit) there after runc is gone (v1 counts oom_kill only in the victim's own
//     cgroup, which runc removed). Exit by SIGKILL that nanokube did not send + limit reached = "OOMKilled".
//   - cgroup v2: runc sets memory.max on its cgroup; memory.events' oom_kill is hierarchical, so nanokube's
//     cgroup keeps the count.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';

export type CgroupVersion = 1 | 2 | null;

export function cgroupVersion(): CgroupVersion {
  if (fs.existsSync(path.join(ROOT, 'memory', 'memory.limit_in_bytes')) || fs.existsSync(path.join(ROOT, 'memory', 'tasks'))) return 1;
  if (fs.existsSync(path.join(ROOT, 'cgroup.controllers'))) return 2;
  return null;
}

function v1Controllers(): string[] {
  try {
    return fs.readdirSync(ROOT).filter((c) => {
      try { return fs.statSync(path.join(ROOT, c)).isDirectory() && !fs.lstatSync(path.join(ROOT, c)).isSymbolicLink() && c !== 'unified'; } catch { return false; }
    });
  } catch { return []; }
}

export class ContainerCgroups {
  readonly version: CgroupVersion = cgroupVersion();
  constructor(readonly clusterRoot: string) {}

  /** nanokube's cgroup of a container (relative to the hierarchy root), and the cgroupsPath runc gets below it. */
  paths(containerId: string): { own: string; runc: string } {
    const own = `/${this.clusterRoot}/${containerId.slice(0, 32)}`;
    return { own, runc: `${own}/ctr` };
  }

  /** Creates nanokube's cgroup for a container; on v1 with its memory limit. Off the event loop (a pod start's path). */
  async prepare(containerId: string, memoryLimit?: number): Promise<void> {
    const { own } = this.paths(containerId);
    if (this.version === 1) {
      const dir = path.join(ROOT, 'memory', own);
      await fsp.mkdir(dir, { recursive: true });
      if (memoryLimit && memoryLimit > 0) this.setV1MemoryLimit(dir, memoryLimit);
    } else if (this.version === 2) {
      await fsp.mkdir(path.join(ROOT, own), { recursive: true });
    }
  }

  setMemoryLimit(containerId: string, limit: number): void {
    if (this.version !== 1) return;
    this.setV1MemoryLimit(path.join(ROOT, 'memory', this.paths(containerId).own), limit);
  }

  private setV1MemoryLimit(dir: string, limit: number): void {
    // memsw (memory+swap) must stay >= limit: raise it first when growing, after when shrinking.
    const memsw = path.join(dir, 'memory.memsw.limit_in_bytes');
    const hasSwap = fs.existsSync(memsw);
    const current = Number(readOr(path.join(dir, 'memory.limit_in_bytes'), '0'));
    if (hasSwap && limit > current) tryWrite(memsw, String(limit));
    fs.writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limit));
    // No swap beyond the limit, as the kubelet asks of container runtimes.
    if (hasSwap) tryWrite(memsw, String(limit));
  }

  /** Whether the container hit its memory limit and the kernel killed a process for it. */
  oomKilled(containerId: string): boolean {
    const { own } = this.paths(containerId);
    if (this.version === 1) {
      // The failure counters, or (as some kernels leave them at 0 when the OOM killer acts) the high-water mark
      // having reached the limit: usage can reach the limit but never pass it.
      const dir = path.join(ROOT, 'memory', own);
      const num = (f: string) => Number(readOr(path.join(dir, f), '0').trim()) || 0;
      const limit = num('memory.limit_in_bytes');
      return num('memory.failcnt') > 0 || num('memory.memsw.failcnt') > 0 || (limit > 0 && limit < 2 ** 62 && num('memory.max_usage_in_bytes') >= limit);
    }
    if (this.version === 2) {
      const m = /oom_kill (\d+)/.exec(readOr(path.join(ROOT, own, 'memory.events'), ''));
      return !!m && Number(m[1]) > 0;
    }
    return false;
  }

  /**
   * A running container's usage: CPU time (ns) and memory, the working set being usage minus inactive file pages
   * as cAdvisor computes it. null when the cgroup cannot be read (no cgroups, or the container already gone).
   */
  stats(containerId: string): { usageCoreNanoSeconds: number; workingSetBytes: number; usageBytes: number } | null {
    const { own, runc } = this.paths(containerId);
    const num = (file: string) => { const v = Number(readOr(file, '').trim()); return Number.isFinite(v) ? v : NaN; };
    const statField = (file: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(readOr(file, ''))?.[1] ?? 0);
    let cpu: number, usage: number, inactive: number;
    if (this.version === 1) {
      cpu = num(path.join(ROOT, 'cpuacct', runc, 'cpuacct.usage'));
      usage = num(path.join(ROOT, 'memory', own, 'memory.usage_in_bytes'));
      inactive = statField(path.join(ROOT, 'memory', own, 'memory.stat'), 'total_inactive_file');
    } else if (this.version === 2) {
      cpu = statField(path.join(ROOT, own, 'cpu.stat'), 'usage_usec') * 1000;
      usage = num(path.join(ROOT, own, 'memory.current'));
      inactive = statField(path.join(ROOT, own, 'memory.stat'), 'inactive_file');
      if (!fs.existsSync(path.join(ROOT, own, 'cpu.stat'))) cpu = NaN;
    } else return null;
    if (!Number.isFinite(cpu) || !Number.isFinite(usage)) return null;
    return { usageCoreNanoSeconds: cpu, usageBytes: usage, workingSetBytes: Math.max(0, usage - inactive) };
  }

  /** Removes a container's cgroups (after its processes are gone), off the event loop. */
  async remove(containerId: string): Promise<void> {
    const { own } = this.paths(containerId);
    await Promise.all(this.dirsOf(own).map((dir) => removeTree(dir)));
  }

  /** Removes every cgroup of this cluster, killing what still runs in them (stale state after a crash). */
  async removeAll(): Promise<void> {
    await Promise.all(this.dirsOf(`/${this.clusterRoot}`).map((dir) => removeTree(dir, true)));
  }

  private dirsOf(rel: string): string[] {
    // A hybrid host also mounts the v2 hierarchy at /sys/fs/cgroup/unified, where runc makes each container a
    // cgroup too: it is removed with the v1 ones, or every container would leave an empty directory there.
    if (this.version === 1) return [...v1Controllers(), 'unified'].map((c) => path.join(ROOT, c, rel)).filter((d) => fs.existsSync(d));
    if (this.version === 2) return [path.join(ROOT, rel)].filter((d) => fs.existsSync(d));
    return [];
  }
}

function readOr(file: string, dflt: string): string {
  try { return fs.readFileSync(file, 'utf8'); } catch { return dflt; }
}

function tryWrite(file: string, value: string): void {
  try { fs.writeFileSync(file, value); } catch { /* optional knob */ }
}

/**
 * Removes a cgroup folder and those below it, deepest first, through the thread pool; with kill, SIGKILLs what still
 * runs in each first. EBUSY (the last processes being reaped) is retried.
 */
async function removeTree(dir: string, kill = false): Promise<void> {
  let entries: fs.Dirent[];
  try { entries = await fsp.readdir(dir, { withFileTypes: true }); } catch { return; }
  await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => removeTree(path.join(dir, e.name), kill)));
  if (kill) {
    for (const pid of readOr(path.join(dir, 'cgroup.procs'), '').split('\n').filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
  }
  for (let i = 0; i < 20; i++) {
    try { await fsp.rmdir(dir); return; } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
