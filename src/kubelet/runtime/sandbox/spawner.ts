// The spawner: a small long-lived python3 process that starts the runtime's short-lived helper programs (CNI
// plugins, mount/umount, ip, runc's one-shot commands) and the sandbox holders, on behalf of this process.
//
// Why: Node's child_process.spawn forks this process, synchronously, on the event loop, and a fork costs in
// proportion to the parent's mapped memory (about 11 ms at nanokube's 150-200 MB RSS, 3 ms at 50 MB; measured on
// the 2-core CI machines). A pod start runs five such programs, so at 20 pods/s the forks alone would take the
// whole event loop, and pod startup latency grew with the queue (p50 ~1 s, where the runtime alone needs 0.1 s).
// python3's subprocess forks with vfork on Linux (no page-table copy), on its own thread, off our event loop.
// Only `runc run` (whose stdio becomes the container's log) is still spawned directly.
//
// Protocol: JSON lines. Requests on the spawner's stdin:
//   {"id": n, "argv": [...], "env": {...} | null, "input": "..." | null, "timeout": seconds | null}   run to completion
//   {"id": n, "argv": [...], "env": ..., "start": "ready"}   start in a new session; answer once its stdout printed "ready"
//   {"id": n, "argv": [...], "env": ..., "socket": path, "token": t}   start in a new session with stdout and stderr
//       on two connections to our Unix socket `path`, each first sending "<t> stdout|stderr\n" (spawnPiped)
// Answers on its stdout: {"id": n, "code": c, "stdout": "...", "stderr": "..."} for a run (code 127 + "error" when
// the program could not be executed); for a start {"id": n, "pid": p}, then {"id": n, "exit": c, "stderr": "..."}
// when it ends (c < 0: killed by signal -c). The spawner exits when its stdin closes (this process is gone); what it
// started keeps running, as detached children of Node's would.
//
// Without python3, or if the spawner dies, the same calls fall back to Node's spawn.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import crypto from 'node:crypto';

let pythonPath: string | null | undefined;
/** python3 from the system (not a user's pyenv shim, whose startup is slow), or null. */
export function python3(): string | null {
  if (pythonPath !== undefined) return pythonPath;
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (fs.existsSync(p)) return (pythonPath = p);
  const r = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' });
  return (pythonPath = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null);
}

const SPAWNER = `
import json, os, socket, subprocess, sys, threading
lock = threading.Lock()
def send(m):
    s = json.dumps(m) + "\\n"
    with lock:
        sys.stdout.write(s); sys.stdout.flush()
def text(b):
    return b.decode("utf-8", "replace") if b else ""
def run(q):
    try:
        p = subprocess.run(q["argv"], input=(q.get("input") or "").encode(), capture_output=True, env=q.get("env"), timeout=q.get("timeout"))
        send({"id": q["id"], "code": p.returncode, "stdout": text(p.stdout), "stderr": text(p.stderr)})
    except subprocess.TimeoutExpired as e:
        send({"id": q["id"], "code": 124, "stdout": text(e.stdout), "stderr": "timed out after %ss" % q.get("timeout")})
    except OSError as e:
        send({"id": q["id"], "code": 127, "stdout": "", "stderr": str(e), "error": str(e)})
def start(q):
    try:
        p = subprocess.Popen(q["argv"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=q.get("env"), start_new_session=True)
    except OSError as e:
        send({"id": q["id"], "exit": 127, "stderr": str(e), "error": str(e)}); return
    err = []
    t = threading.Thread(target=lambda: err.append(p.stderr.read()), daemon=True); t.start()
    ready, buf = q["start"].encode(), b""
    while ready not in buf:
        chunk = p.stdout.read1(4096)
        if not chunk: break
        buf += chunk
    if ready in buf:
        send({"id": q["id"], "pid": p.pid})
        while p.stdout.read1(4096): pass
    code = p.wait(); t.join()
    send({"id": q["id"], "exit": code, "stderr": text(err[0] if err else b"")})
def piped(q):
    socks = []
    try:
        for name in ("stdout", "stderr"):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            socks.append(c)
            c.connect(q["socket"])
            c.sendall(("%s %s\\n" % (q["token"], name)).encode())
        p = subprocess.Popen(q["argv"], stdin=subprocess.DEVNULL, stdout=socks[0].fileno(), stderr=socks[1].fileno(), env=q.get("env"), start_new_session=True)
    except OSError as e:
        for c in socks: c.close()
        send({"id": q["id"], "exit": 127, "stderr": str(e), "error": str(e)}); return
    for c in socks: c.close()
    send({"id": q["id"], "pid": p.pid})
    send({"id": q["id"], "exit": p.wait(), "stderr": ""})
for line in sys.stdin:
    q = json.loads(line)
    threading.Thread(target=start if q.get("start") else piped if q.get("socket") else run, args=(q,), daemon=True).start()
`;

export interface RunResult { code: number; stdout: string; stderr: string }
export interface RunOptions { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }

/** A process started in its own session that stays (a sandbox holder). */
export interface StartedProcess {
  pid: number;
  /** Settles when it has ended: its exit code, or 128+signal. */
  readonly exited: Promise<number>;
  /** Whether it has ended (exited settled). */
  readonly done: boolean;
}

/**
 * A program started with its stdout and stderr piped back to this process, shaped as the parts of a ChildProcess
 * the runtime's MainProcess uses: pid, stdout/stderr streams, 'exit' (code, signal) and 'error' events.
 */
export interface PipedChild extends EventEmitter {
  readonly pid: number | undefined;
  readonly stdin: null;
  readonly stdout: net.Socket;
  readonly stderr: net.Socket;
  readonly stdio: [null, net.Socket, net.Socket];
}

interface Answer { id: number; code?: number; stdout?: string; stderr?: string; error?: string; pid?: number; exit?: number }

class Spawner {
  private child: ChildProcess | null = null;
  private broken = false;
  private nextId = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();

  /** Runs a program to completion and collects its output; never rejects (a failure to execute is code 127). */
  run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const child = this.ensure();
    if (!child) return directRun(cmd, args, opts);
    return new Promise((resolve) => {
      this.request({ argv: [cmd, ...args], env: opts.env ?? null, input: opts.input ?? null, timeout: (opts.timeoutMs ?? 30_000) / 1000 },
        (a) => resolve({ code: a.code ?? 1, stdout: a.stdout ?? '', stderr: a.stderr ?? '' }),
        () => resolve(directRun(cmd, args, opts)));
    });
  }

  /**
   * Starts a program in a new session and resolves once its stdout has printed `ready`; rejects with its stderr
   * if it ends first.
   */
  start(cmd: string, args: string[], ready = 'ready'): Promise<StartedProcess> {
    const child = this.ensure();
    if (!child) return directStart(cmd, args, ready);
    return new Promise((resolve, reject) => {
      let proc: { pid: number; exited: Promise<number>; done: boolean } | null = null;
      let settleExit!: (code: number) => void;
      this.request({ argv: [cmd, ...args], env: null, start: ready }, (a) => {
        if (a.pid !== undefined) {
          const exited = new Promise<number>((r) => { settleExit = r; });
          proc = { pid: a.pid, exited, done: false };
          resolve(proc);
          return false; // more to come: its exit
        }
        const code = (a.exit ?? 1) < 0 ? 128 - a.exit! : a.exit ?? 1;
        if (proc) { proc.done = true; settleExit(code); } else reject(new Error(`${cmd} exited with ${code}: ${(a.stderr ?? '').trim()}`));
        return true;
      }, () => {
        if (proc) { proc.done = true; settleExit(137); } else resolve(directStart(cmd, args, ready));
      });
    });
  }

  /**
   * Starts a program in a new session with stdin from /dev/null and its stdout and stderr streamed back over a
   * Unix socket of ours (the container's main process: runc in the foreground, whose output is the container's).
   */
  async spawnPiped(cmd: string, args: string[]): Promise<PipedChild | ChildProcess> {
    const child = this.ensure();
    const server = child ? await this.outputServer().catch(() => null) : null;
    if (!child || !server) return spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const token = crypto.randomBytes(12).toString('hex');
    // Until both output connections are accepted, this process must stay alive for them: the program may end (and
    // its request be answered) before our unref'd server has accepted them.
    this.connecting++;
    let released = false;
    const release = () => { if (!released) { released = true; this.connecting--; this.refIfBusy(); } };
    const streams = new Promise<{ stdout: net.Socket; stderr: net.Socket }>((resolve) => {
      const got: { stdout?: net.Socket; stderr?: net.Socket } = {};
      this.connections.set(token, (name, sock) => {
        got[name] = sock;
        if (got.stdout && got.stderr) { this.connections.delete(token); release(); resolve({ stdout: got.stdout, stderr: got.stderr }); }
      });
    });
    return new Promise((resolve, reject) => {
      let exit: number | undefined;
      let piped: (EventEmitter & { pid: number | undefined; stdin: null; stdout: net.Socket; stderr: net.Socket; stdio: [null, net.Socket, net.Socket] }) | null = null;
      this.request({ argv: [cmd, ...args], env: null, socket: server, token }, (a) => {
        if (a.pid !== undefined) {
          void streams.then(({ stdout, stderr }) => {
            piped = Object.assign(new EventEmitter(), { pid: a.pid, stdin: null, stdout, stderr, stdio: [null, stdout, stderr] as [null, net.Socket, net.Socket] });
            resolve(piped);
            // Already ended (a program that exits at once): report it once the caller, resumed by this
            // resolution in a microtask, listens for 'exit'.
            if (exit !== undefined) { const p = piped, code = exit; setImmediate(() => emitExit(p, code)); }
          });
          return false;
        }
        if (a.error) { this.connections.delete(token); release(); reject(new Error(`${cmd}: ${a.error}`)); return true; }
        exit = a.exit ?? 1;
        if (piped) emitExit(piped, exit);
        return true;
      }, () => {
        // The spawner died: the program lives on without anyone to report its exit.
        this.connections.delete(token);
        release();
        if (piped) emitExit(piped, -9); else reject(new Error(`${cmd}: the spawner exited`));
      });
    });
  }

  private readonly connections = new Map<string, (name: 'stdout' | 'stderr', sock: net.Socket) => void>();
  /** spawnPiped calls whose output connections are not all accepted yet. */
  private connecting = 0;
  private server: Promise<string> | null = null;

  /** The Unix socket piped programs' output connects to (one per process, removed when it exits). */
  private outputServer(): Promise<string> {
    this.server ??= new Promise((resolve, reject) => {
      const file = path.join(os.tmpdir(), `nanokube-spawner-${process.pid}-${crypto.randomBytes(4).toString('hex')}.sock`);
      const srv = net.createServer((sock) => {
        // The header is read in paused mode; once the 'readable' listener is gone the stream's flowing state is
        // back to "not decided", so the consumer's first 'data' listener starts it, with nothing lost.
        let head = Buffer.alloc(0);
        const onReadable = () => {
          let b: Buffer | null;
          while ((b = sock.read() as Buffer | null) !== null) {
            head = Buffer.concat([head, b]);
            const nl = head.indexOf(10);
            if (nl < 0) { if (head.length > 64) sock.destroy(); continue; }
            sock.off('readable', onReadable);
            const [token, name] = head.subarray(0, nl).toString().split(' ');
            const rest = head.subarray(nl + 1);
            if (rest.length) sock.unshift(rest);
            const to = this.connections.get(token ?? '');
            if (!to || (name !== 'stdout' && name !== 'stderr')) { sock.destroy(); return; }
            to(name, sock);
            return;
          }
        };
        sock.on('readable', onReadable);
        sock.on('error', () => undefined);
      });
      srv.once('error', reject);
      srv.listen(file, () => {
        srv.unref();
        process.once('exit', () => { try { fs.unlinkSync(file); } catch { /* gone */ } });
        resolve(file);
      });
    });
    return this.server;
  }

  /** Sends a request; onAnswer returns false while more answers are due for it. onLost: the spawner died first. */
  private request(q: Record<string, unknown>, onAnswer: (a: Answer) => boolean | void, onLost: () => void): void {
    const id = this.nextId++;
    const child = this.child!;
    this.waiting.set(id, (a) => {
      if (a.id === -1) onLost();
      else if (onAnswer(a) !== false) this.waiting.delete(id);
      this.refIfBusy();
    });
    this.refIfBusy();
    child.stdin!.write(JSON.stringify({ id, ...q }) + '\n');
  }

  /**
   * Keeps this process alive while a run is pending (a one-shot command awaiting a result must not exit early) or
   * a started process runs (as a child spawned by Node would).
   */
  private refIfBusy(): void {
    const c = this.child;
    if (!c) return;
    const busy = this.waiting.size > 0 || this.connecting > 0;
    for (const s of [c, c.stdout, c.stdin] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (busy) s?.ref?.(); else s?.unref?.();
    }
  }

  private ensure(): ChildProcess | null {
    if (this.child) return this.child;
    if (this.broken) return null;
    const py = python3();
    if (!py) { this.broken = true; return null; }
    const child = spawn(py, ['-I', '-c', SPAWNER], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child = child;
    child.stdin!.on('error', () => undefined);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let a: Answer;
      try { a = JSON.parse(line) as Answer; } catch { return; }
      this.waiting.get(a.id)?.(a);
    });
    const lost = () => {
      if (this.child !== child) return;
      this.child = null;
      this.broken = true; // from now on, Node's spawn
      const pending = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of pending) w({ id: -1 });
    };
    child.on('exit', lost);
    child.on('error', lost);
    this.refIfBusy();
    return child;
  }
}

function emitExit(child: EventEmitter, code: number): void {
  if (code < 0) child.emit('exit', null, signalName(-code));
  else child.emit('exit', code, null);
}

function signalName(n: number): NodeJS.Signals {
  const hit = Object.entries(os.constants.signals).find(([, v]) => v === n);
  return (hit?.[0] ?? 'SIGKILL') as NodeJS.Signals;
}

function directRun(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: e.message }));
    child.on('close', (code, signal) => resolve({
      code: code ?? (signal === 'SIGTERM' ? 124 : 1), stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString() || (signal ? `killed by ${signal}` : ''),
    }));
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
  });
}

function directStart(cmd: string, args: string[], ready: string): Promise<StartedProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const err: Buffer[] = [];
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const proc = { pid: child.pid ?? 0, done: false, exited: new Promise<number>((r) => child.once('exit', (code, sig) => { proc.done = true; r(code ?? 128 + signalNumber(sig)); })) };
  return new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`${cmd} exited with ${code}: ${Buffer.concat(err).toString().trim()}`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(ready)) { child.off('exit', onExit); child.stdout!.resume(); resolve(proc); }
    });
  });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig === 'SIGKILL' ? 9 : sig === 'SIGTERM' ? 15 : sig === 'SIGINT' ? 2 : 0;
}

/** The process's one spawner (stateless, so every runtime in this process may share it). */
export const spawner = new Spawner();
