// A container's main process as the runtime holds it: the child (runc in the foreground, or the program itself in
// process mode), its stdout/stderr written to the CRI log and fanned out to attached clients, its stdin kept open
// when the container was created with stdin, and its exit status once it ends.
import type { ChildProcess } from 'node:child_process';
import type { PipedChild } from './spawner.js';
import type { Writable } from 'node:stream';
import { CriLogWriter, type CriLogOptions } from './cri-log.js';

export interface ExitInfo { code: number; signal: NodeJS.Signals | null; at: number }

interface Attached { stdout?: Writable; stderr?: Writable }

export class MainProcess {
  private readonly log: CriLogWriter;
  private readonly attached = new Set<Attached>();
  private exitInfo: ExitInfo | null = null;
  private readonly exitWaiters: Array<(e: ExitInfo) => void> = [];
  private openStreams = 0;
  private exitedChild: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** The stdin writer, when the container was created with stdin and it is still open. */
  stdin: Writable | null;
  /** With a tty: where terminal sizes go ("cols rows\n", the pty relay's fd 3). */
  readonly resizeControl: Writable | null;

  /**
   * `exitCodeOf` maps the child's exit to the container's exit code (runc already reports 128+signal as its own
   * code; a plain process killed by a signal exits with 128+signal as a shell shows it).
   */
  constructor(readonly child: ChildProcess | PipedChild, logPath: string, logOptions: CriLogOptions, opts: { tty?: boolean; stdin?: boolean } = {}) {
    this.log = new CriLogWriter(logPath, logOptions);
    this.stdin = opts.stdin && child.stdin ? child.stdin : null;
    this.resizeControl = opts.tty ? (child.stdio[3] as Writable | undefined) ?? null : null;
    this.resizeControl?.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    if (!opts.stdin) child.stdin?.end();
    for (const name of ['stdout', 'stderr'] as const) {
      const s = child[name];
      if (!s) continue;
      this.openStreams++;
      s.on('data', (chunk: Buffer) => {
        this.log.write(name, chunk);
        for (const a of this.attached) {
          const w = opts.tty ? a.stdout : a[name];
          if (w && !w.writableEnded) w.write(chunk);
        }
      });
      s.on('close', () => { this.openStreams--; this.maybeFinish(); });
    }
    child.on('exit', (code, signal) => { this.exitedChild = { code, signal }; this.maybeFinish(); });
    child.on('error', () => { this.exitedChild ??= { code: 128, signal: null }; this.maybeFinish(); });
  }

  get pid(): number | undefined { return this.child.pid; }
  get exited(): ExitInfo | null { return this.exitInfo; }

  /** Resolves once the process has exited and its output is fully in the log. */
  wait(): Promise<ExitInfo> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Streams the process's output to `out` until it exits or `signal` aborts; resolves then. */
  attach(out: Attached, signal?: AbortSignal): Promise<void> {
    if (this.exitInfo) return Promise.resolve();
    this.attached.add(out);
    return new Promise((resolve) => {
      const done = () => { this.attached.delete(out); resolve(); };
      signal?.addEventListener('abort', done, { once: true });
      void this.wait().then(done);
    });
  }

  private maybeFinish(): void {
    // The output streams may outlive the main process when it left children holding them (they were killed
    // with the container, so this is brief); wait for both before calling the container exited.
    if (!this.exitedChild || this.exitInfo) return;
    if (this.openStreams > 0) {
      setTimeout(() => { if (!this.exitInfo) { this.openStreams = 0; this.maybeFinish(); } }, 2000).unref();
      return;
    }
    this.log.close();
    const { code, signal } = this.exitedChild;
    this.exitInfo = { code: code ?? (signal ? 128 + signalNumber(signal) : 128), signal, at: Date.now() };
    for (const w of this.exitWaiters.splice(0)) w(this.exitInfo);
  }
}

export function signalNumber(sig: NodeJS.Signals): number {
  const n: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
  return n[sig] ?? 0;
}
