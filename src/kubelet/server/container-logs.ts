// Reading a container's CRI-format log file for `kubectl logs`, as upstream's kubelet does
// (pkg/kubelet/kuberuntime/logs): each line `<RFC3339Nano> <stdout|stderr> <F|P>[:flags] <text>`; partial (P) lines
// are joined with the next; options as PodLogOptions (tailLines, since, timestamps, limitBytes, follow).
// Following survives rotation: when the file at the path is replaced (renamed away and recreated) the rest of the
// old file is read, then the new one from its start; a truncated file is read again from its start.
import { open, stat, type FileHandle } from 'node:fs/promises';

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines (of the file as it is when the request starts); undefined or negative = all. */
  tailLines?: number;
  /** Skip lines stamped before this time (ms since the epoch). */
  sinceMs?: number;
  /** Prefix each line with its RFC3339Nano timestamp (9 fractional digits, as upstream's RFC3339NanoFixed). */
  timestamps?: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** While following: false once the container has exited, which ends the stream after the last line. */
  isRunning?: () => Promise<boolean>;
  signal?: AbortSignal;
  /** How often a followed file is checked for new lines (tests may shorten it). */
  pollMs?: number;
}

interface LogLine { ts: string; tsMs: number; partial: boolean; text: Buffer }

const lineRe = /^(\S+) (stdout|stderr) ([FP])(?::\S*)? ?/;

/** Parses one CRI log line (without its newline); lines that do not parse are passed through as full lines. */
export function parseCriLine(raw: Buffer): LogLine {
  const head = raw.subarray(0, Math.min(raw.length, 80)).toString('latin1');
  const m = lineRe.exec(head);
  if (!m) return { ts: '', tsMs: NaN, partial: false, text: raw };
  return { ts: m[1], tsMs: Date.parse(m[1]), partial: m[3] === 'P', text: raw.subarray(m[0].length) };
}

/** RFC3339Nano with exactly nine fractional digits (upstream's RFC3339NanoFixed). */
export function fixedNanoTimestamp(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}${m[3]}`;
}

/** Offset of the start of the last `n` lines of the file (upstream counts newlines from the end). */
async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n === 0) return size;
  const chunk = 64 * 1024;
  let pos = size, seen = 0;
  const buf = Buffer.alloc(chunk);
  // A trailing newline ends the last line; it does not start another.
  let skipLast = true;
  while (pos > 0) {
    const len = Math.min(chunk, pos);
    pos -= len;
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) { skipLast = false; continue; }
      if (skipLast) { skipLast = false; continue; }
      seen++;
      if (seen === n) return pos + i + 1;
    }
  }
  return 0;
}

/**
 * The log of one container as a stream of output chunks. Ends at the end of the file, or when following, once
 * the container is no longer running and nothing more is written, or when the signal aborts.
 */
export async function* readContainerLog(path: string, opts: LogOptions = {}): AsyncGenerator<Buffer> {
  let fh: FileHandle;
  try { fh = await open(path, 'r'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  let remaining = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
  const pollMs = opts.pollMs ?? 200;
  let atLineStart = true; // the previous line was complete (F): the next one gets a timestamp
  let pending = Buffer.alloc(0); // bytes of an unterminated line at the end of the file
  try {
    let st = await fh.stat();
    let pos = opts.tailLines !== undefined && opts.tailLines >= 0 ? await tailOffset(fh, st.size, opts.tailLines) : 0;
    const buf = Buffer.alloc(64 * 1024);
    let idleSince = Date.now();
    for (;;) {
      if (opts.signal?.aborted) return;
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        idleSince = Date.now();
        const data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let start = 0;
        const out: Buffer[] = [];
        for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
          const line = parseCriLine(data.subarray(start, nl));
          start = nl + 1;
          if (opts.sinceMs !== undefined && !(line.tsMs >= opts.sinceMs)) { atLineStart = !line.partial; continue; }
          let piece = line.partial ? line.text : Buffer.concat([line.text, Buffer.from('\n')]);
          if (opts.timestamps && atLineStart && line.ts) piece = Buffer.concat([Buffer.from(fixedNanoTimestamp(line.ts) + ' '), piece]);
          atLineStart = !line.partial;
          if (piece.length >= remaining) { out.push(piece.subarray(0, remaining)); remaining = 0; break; }
          remaining -= piece.length;
          out.push(piece);
        }
        pending = Buffer.from(data.subarray(start));
        if (out.length) yield Buffer.concat(out);
        if (remaining === 0) return;
        continue;
      }
      // End of the file.
      if (!opts.follow) return;
      const now = await stat(path).catch(() => undefined);
      if (now && (now.ino !== st.ino || now.dev !== st.dev)) {
        // Rotated: the old file is read to its end (above); continue with the new one.
        await fh.close();
        fh = await open(path, 'r');
        st = await fh.stat();
        pos = 0; pending = Buffer.alloc(0);
        continue;
      }
      if (now && now.size < pos) { pos = 0; pending = Buffer.alloc(0); continue; } // truncated in place
      if (opts.isRunning && Date.now() - idleSince >= pollMs && !(await opts.isRunning())) {
        // One last read: the container may have written its final lines just before exiting.
        const { bytesRead: last } = await fh.read(buf, 0, 1, pos);
        if (last === 0) return;
        continue;
      }
      await sleep(pollMs, opts.signal);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
