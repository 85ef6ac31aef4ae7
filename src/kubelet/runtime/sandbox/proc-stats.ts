// What /proc says about processes, for container stats when no cgroup measures them (the process runtime, or a
// host without cgroups): a container is its process group, its CPU the sum of utime + stime of the group's
// processes, its memory working set their resident set. Orphans that left the group are not counted, and the CPU of
// processes that already exited is lost (what a cgroup keeps): the figures are a lower bound.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

/** USER_HZ: the unit of /proc/<pid>/stat times (100 on every Linux architecture the kernel exports). */
const CLOCK_TICKS_PER_SECOND = 100;

let pageSize: number | undefined;
function pageBytes(): number {
  if (pageSize === undefined) {
    const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
    pageSize = Number(r.stdout?.trim()) || 4096;
  }
  return pageSize;
}

/** One process as /proc/<pid>/stat gives it. */
export interface ProcStat { pid: number; ppid: number; pgrp: number; cpuNs: number; rssBytes: number }

function readStat(pid: string): ProcStat | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": 0 state, 1 ppid, 2 pgrp, ... 11 utime, 12 stime, ... 21 rss (pages).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return { pid: Number(pid), ppid: Number(f[1]), pgrp: Number(f[2]), cpuNs: ticks * (1e9 / CLOCK_TICKS_PER_SECOND), rssBytes: Number(f[21]) * pageBytes() };
  } catch { return null; /* gone */ }
}

/** Every process on the host, read once (one pass over /proc serves all containers of a stats call). */
export function allProcesses(): ProcStat[] {
  let entries: string[] = [];
  try { entries = fs.readdirSync('/proc'); } catch { return []; }
  const out: ProcStat[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const s = readStat(e);
    if (s) out.push(s);
  }
  return out;
}

/** The pids of a process group. */
export function processGroup(pgid: number, procs: ProcStat[] = allProcesses()): number[] {
  return procs.filter((p) => p.pgrp === pgid).map((p) => p.pid);
}

/** CPU time and resident memory summed over a process group. */
export function processGroupUsage(pgid: number, procs: ProcStat[]): { cpuNs: number; rssBytes: number } {
  let cpuNs = 0, rssBytes = 0;
  for (const p of procs) if (p.pgrp === pgid) { cpuNs += p.cpuNs; rssBytes += p.rssBytes; }
  return { cpuNs, rssBytes };
}

/** The node's CPU time in use (all CPUs, nanoseconds) from the first line of /proc/stat. */
export function nodeCpuUsageNs(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
    return busy * (1e9 / CLOCK_TICKS_PER_SECOND);
  } catch { return 0; }
}

/** The node's memory from /proc/meminfo, in bytes. */
export function nodeMemory(): { totalBytes: number; availableBytes: number; freeBytes: number } {
  const kb: Record<string, number> = {};
  try {
    for (const line of fs.readFileSync('/proc/meminfo', 'utf8').split('\n')) {
      const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
      if (m) kb[m[1]!] = Number(m[2]);
    }
  } catch { /* not Linux */ }
  return { totalBytes: (kb.MemTotal ?? 0) * 1024, availableBytes: (kb.MemAvailable ?? kb.MemFree ?? 0) * 1024, freeBytes: (kb.MemFree ?? 0) * 1024 };
}
