// A container's stdout/stderr written to its log file in CRI's log format, as containerd's CRI plugin writes it:
//   <RFC3339Nano timestamp> <stdout|stderr> <F|P> <text>\n
// "F" ends a line; "P" is a piece of a line longer than the line buffer (16 KiB, containerd's), continued by the next
// entries. Timestamps have nine fraction digits (containerd's fixed-width format), so they sort as text.
// The file is rotated when it passes maxSize (upstream's containerLogMaxSize, default 10 MiB): the current file is
// renamed to "<log>.<YYYYMMDD-hhmmss>" (the kubelet's rotated-file naming) and at most maxFiles files are kept in
// all (containerLogMaxFiles, default 5), oldest dropped first.
import fs from 'node:fs';
import path from 'node:path';

export interface CriLogOptions {
  maxSize?: number;
  maxFiles?: number;
}

export const DEFAULT_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;
const MAX_LINE = 16 * 1024;

let lastNs = 0n;
/** Now as RFC3339 with nine fraction digits; strictly increasing within the process so entries keep their order. */
export function criTimestamp(): string {
  let ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

export type LogStream = 'stdout' | 'stderr';

export class CriLogWriter {
  private fd: number | null;
  private size: number;
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingLen: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  private readonly maxSize: number;
  private readonly maxFiles: number;

  constructor(readonly file: string, opts: CriLogOptions = {}) {
    this.maxSize = opts.maxSize ?? DEFAULT_LOG_MAX_SIZE;
    this.maxFiles = Math.max(1, opts.maxFiles ?? DEFAULT_LOG_MAX_FILES);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a', 0o640);
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Appends output of one stream; complete lines are written at once, an unfinished line waits for its end. */
  write(stream: LogStream, chunk: Buffer): void {
    if (this.fd === null) return;
    let start = 0;
    const out: Buffer[] = [];
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        this.pending[stream].push(chunk.subarray(start));
        this.pendingLen[stream] += chunk.length - start;
        while (this.pendingLen[stream] >= MAX_LINE) {
          const all = Buffer.concat(this.pending[stream]);
          out.push(this.entry(stream, 'P', all.subarray(0, MAX_LINE)));
          const rest = all.subarray(MAX_LINE);
          this.pending[stream] = rest.length ? [rest] : [];
          this.pendingLen[stream] = rest.length;
        }
        break;
      }
      let line = chunk.subarray(start, nl);
      if (this.pendingLen[stream] > 0) {
        line = Buffer.concat([...this.pending[stream], line]);
        this.pending[stream] = [];
        this.pendingLen[stream] = 0;
      }
      // A tty's output ends lines with \r\n; the log keeps the text only.
      if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      while (line.length > MAX_LINE) {
        out.push(this.entry(stream, 'P', line.subarray(0, MAX_LINE)));
        line = line.subarray(MAX_LINE);
      }
      out.push(this.entry(stream, 'F', line));
      start = nl + 1;
    }
    if (out.length) this.append(Buffer.concat(out));
  }

  /** Writes what is left of unfinished lines (as full lines: the stream ended) and closes the file. */
  close(): void {
    if (this.fd === null) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pendingLen[stream] > 0) {
        this.append(this.entry(stream, 'F', Buffer.concat(this.pending[stream])));
        this.pending[stream] = [];
        this.pendingLen[stream] = 0;
      }
    }
    fs.closeSync(this.fd);
    this.fd = null;
  }

  private entry(stream: LogStream, tag: 'F' | 'P', text: Buffer): Buffer {
    return Buffer.concat([Buffer.from(`${criTimestamp()} ${stream} ${tag} `), text, Buffer.from('\n')]);
  }

  private append(buf: Buffer): void {
    if (this.fd === null) return;
    if (this.size > 0 && this.size + buf.length > this.maxSize) this.rotate();
    try {
      fs.writeSync(this.fd, buf);
      this.size += buf.length;
    } catch {
      // The log folder was removed under us (pod deleted): output is dropped, the container keeps running.
    }
  }

  private rotate(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    try {
      const d = new Date();
      const p = (n: number) => String(n).padStart(2, '0');
      let rotated = `${this.file}.${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
      for (let i = 1; fs.existsSync(rotated); i++) rotated = rotated.replace(/(-\d{6})(\.\d+)?$/, `$1.${i}`);
      fs.renameSync(this.file, rotated);
      const base = path.basename(this.file) + '.';
      const dir = path.dirname(this.file);
      const old = fs.readdirSync(dir).filter((f) => f.startsWith(base)).sort();
      for (const f of old.slice(0, Math.max(0, old.length - (this.maxFiles - 1)))) fs.rmSync(path.join(dir, f), { force: true });
    } catch { /* a failed rotation keeps writing to a fresh file */ }
    this.fd = fs.openSync(this.file, 'a', 0o640);
    this.size = 0;
  }
}
