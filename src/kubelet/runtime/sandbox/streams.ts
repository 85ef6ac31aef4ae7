// Stream plumbing shared by both modes: an exec'd command connected to the caller's streams (with a
// pseudo-terminal and resizes when tty is asked), and the small files a sandbox gives its containers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { DNSConfig, ExecOptions } from '../runtime.js';
import { PTY_RELAY, python3 } from './helpers.js';

/** /etc/hosts as the kubelet writes it for a pod ("Kubernetes-managed hosts file"). */
export function hostsFile(ip: string, hostname: string | null, fqdn?: string): string {
  let s = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  if (ip && hostname) s += fqdn ? `${ip}\t${fqdn}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return s;
}

/**
 * resolv.conf from the pod's DNS config (as given: dnsPolicy None with no dnsConfig gives an empty file, as
 * containerd writes it), or the node's own when the kubelet gives none.
 */
export function resolvConf(dns?: DNSConfig): string {
  if (!dns) {
    try { return fs.readFileSync('/etc/resolv.conf', 'utf8'); } catch { return ''; }
  }
  let s = '';
  if (dns.searches.length) s += `search ${dns.searches.join(' ')}\n`;
  for (const ns of dns.servers) s += `nameserver ${ns}\n`;
  if (dns.options.length) s += `options ${dns.options.join(' ')}\n`;
  return s;
}

/**
 * Resolves true once `file` exists (inotify on its folder, with a slow poll as a safety net), or false when
 * `signal` aborts first.
 */
export function waitForFile(file: string, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (fs.existsSync(file)) { resolve(true); return; }
    const name = path.basename(file);
    let done = false;
    const finish = (found = true) => { if (done) return; done = true; watcher?.close(); clearInterval(poll); resolve(found); };
    signal.addEventListener('abort', () => finish(fs.existsSync(file)), { once: true });
    let watcher: fs.FSWatcher | undefined;
    try { watcher = fs.watch(path.dirname(file), (_e, f) => { if (f === name && fs.existsSync(file)) finish(); }); } catch { /* poll only */ }
    const poll = setInterval(() => { if (fs.existsSync(file)) finish(); }, 100);
    if (fs.existsSync(file)) finish();
  });
}

export function onResize(resize: ExecOptions['resize'], f: (s: { width: number; height: number }) => void): void {
  if (!resize) return;
  if ('on' in resize && typeof resize.on === 'function') { resize.on('resize', f); return; }
  void (async () => { for await (const s of resize as AsyncIterable<{ width: number; height: number }>) f(s); })().catch(() => undefined);
}

/**
 * Runs `command args` with the caller's streams; with tty, on a pseudo-terminal (python3's pty, see helpers.ts)
 * that follows the caller's resizes. `kill` ends the exec'd process itself (abort). Resolves with its exit code.
 *
 * `startedFile` (runc exec's pid file) appears once the command has started. Until then, what arrives on the stream
 * runc writes its own errors to (stderr; the terminal with tty) is held back: a command that never started leaves
 * only runc's error there ("exec failed: ... executable file not found in $PATH"), which the caller reports as the
 * exec's error, so the user reads it once, as from upstream's runtimes. A command that started gets it all, in order.
 */
export async function streamExec(a: { command: string; args: string[]; opts: ExecOptions; kill: () => void; env?: NodeJS.ProcessEnv; cwd?: string; startedFile?: string }): Promise<{ exitCode: number }> {
  const { opts } = a;
  let child;
  if (opts.tty) {
    const py = python3();
    if (!py) throw new Error('an interactive terminal (tty) needs python3 on the node');
    // A size already known when the exec starts (the kubelet server replays kubectl's first resize to a new
    // listener) becomes the terminal's initial size: resizing right after start races the command's own setup
    // (runc exec -t can then see 0x0).
    let initial: { width: number; height: number } | undefined;
    let ctl: Writable | undefined;
    onResize(opts.resize, (s) => { if (!ctl) initial = s; else if (!ctl.writableEnded) ctl.write(`${s.width} ${s.height}\n`); });
    child = spawn(py, ['-c', PTY_RELAY, String(initial?.width ?? 80), String(initial?.height ?? 24), a.command, ...a.args], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: a.env, cwd: a.cwd });
    ctl = child.stdio[3] as Writable;
    ctl.on('error', () => undefined);
  } else {
    child = spawn(a.command, a.args, { stdio: ['pipe', 'pipe', 'pipe'], env: a.env, cwd: a.cwd });
  }
  child.stdin!.on('error', () => undefined);
  if (opts.stdin) {
    opts.stdin.on('data', (b: Buffer) => { if (!child.stdin!.writableEnded) child.stdin!.write(b); });
    opts.stdin.once('end', () => child.stdin!.end());
  } else if (!opts.tty) {
    child.stdin!.end();
  }
  const errTarget = opts.tty ? opts.stdout : opts.stderr;
  let held: Buffer[] | null = a.startedFile ? [] : null;
  const release = () => { if (held) for (const b of held) errTarget?.write(b); held = null; };
  const watching = new AbortController();
  const started = a.startedFile ? waitForFile(a.startedFile, watching.signal).then((found) => { if (found) release(); return found; }) : Promise.resolve(true);
  child.stdout!.on('data', (b: Buffer) => { if (opts.tty && held) held.push(b); else opts.stdout?.write(b); });
  child.stderr!.on('data', (b: Buffer) => { if (held) held.push(b); else errTarget?.write(b); });
  const onAbort = () => { a.kill(); child.kill('SIGKILL'); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)));
  });
  opts.signal?.removeEventListener('abort', onAbort);
  watching.abort();
  if (await started || exitCode === 0) release();
  else held = null; // only runc's own error: the caller's exec error says it
  return { exitCode };
}
