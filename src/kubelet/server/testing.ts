// A runtime double for the kubelet server's tests: sandboxes and containers are records the test adds; exec
// runs the command as a host process; attach streams what the test writes as the container's output; portForward
// connects to 127.0.0.1:<port> on the host. Log files are whatever the test writes at a container's logPath.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import type { ContainerFilter, ContainerState, ContainerStatus, ExecOptions, PodSandboxStatus, RuntimeService, RuntimeVersion } from '../runtime/runtime.js';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './pod-lookup.js';

/** One CRI log line (`<ts> <stream> <F|P> <text>\n`). */
export function criLogLine(text: string, opts: { ts?: Date | string; stream?: 'stdout' | 'stderr'; partial?: boolean } = {}): string {
  const ts = typeof opts.ts === 'string' ? opts.ts : (opts.ts ?? new Date()).toISOString().replace('Z', '000000Z');
  return `${ts} ${opts.stream ?? 'stdout'} ${opts.partial ? 'P' : 'F'} ${text}\n`;
}

export class FakeRuntime implements RuntimeService {
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, ContainerStatus & { sandboxId: string; output: PassThrough; exited?: () => void }>();
  private seq = 0;
  constructor(readonly logRoot: string) {}

  async version(): Promise<RuntimeVersion> { return { runtimeName: 'fake', runtimeVersion: '0', runtimeApiVersion: 'v1' }; }

  addSandbox(pod: { namespace: string; name: string; uid: string }): string {
    const id = `sandbox-${++this.seq}`;
    this.sandboxes.set(id, {
      id, metadata: { ...pod, attempt: 0 }, state: 'SANDBOX_READY', createdAt: Date.now() * 1e6 + this.seq,
      network: { ip: '127.0.0.1', additionalIps: [] },
      labels: { [POD_NAME_LABEL]: pod.name, [POD_NAMESPACE_LABEL]: pod.namespace, [POD_UID_LABEL]: pod.uid }, annotations: {},
    });
    return id;
  }

  /** A container instance; its log file is <logRoot>/<ns>_<name>_<uid>/<container>/<attempt>.log. */
  addContainer(sandboxId: string, c: { name: string; attempt?: number; state?: ContainerState }): ContainerStatus {
    const s = this.sandboxes.get(sandboxId)!;
    const attempt = c.attempt ?? 0;
    const id = `container-${++this.seq}`;
    const logPath = join(this.logRoot, `${s.metadata.namespace}_${s.metadata.name}_${s.metadata.uid}`, c.name, `${attempt}.log`);
    mkdirSync(dirname(logPath), { recursive: true });
    appendFileSync(logPath, '');
    const status = {
      id, sandboxId, podSandboxId: sandboxId, output: new PassThrough(),
      metadata: { name: c.name, attempt }, state: c.state ?? 'CONTAINER_RUNNING', createdAt: Date.now() * 1e6 + this.seq, startedAt: Date.now() * 1e6, finishedAt: 0,
      exitCode: 0, image: { image: 'busybox' }, imageRef: 'sha256:0', reason: '', message: '',
      labels: { ...s.labels, [CONTAINER_NAME_LABEL]: c.name }, annotations: {}, logPath,
    };
    this.containers.set(id, status);
    return status;
  }

  /** Appends CRI lines to the container's log. */
  writeLog(containerId: string, ...lines: string[]): void { appendFileSync(this.containers.get(containerId)!.logPath, lines.join('')); }

  setState(containerId: string, state: ContainerState): void {
    const c = this.containers.get(containerId)!;
    c.state = state;
    if (state === 'CONTAINER_EXITED') { c.output.end(); c.exited?.(); }
  }

  async listPodSandbox(filter?: { labelSelector?: Record<string, string> }): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()].filter((s) => Object.entries(filter?.labelSelector ?? {}).every(([k, v]) => s.labels[k] === v));
  }
  async podSandboxStatus(id: string): Promise<PodSandboxStatus> { return this.sandboxes.get(id)!; }
  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    return [...this.containers.values()].filter((c) => !filter?.podSandboxId || c.sandboxId === filter.podSandboxId);
  }
  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.containers.get(id);
    if (!c) throw new Error(`container ${id} not found`);
    return c;
  }

  async exec(_id: string, opts: ExecOptions): Promise<{ exitCode: number }> {
    const child = spawn(opts.cmd[0], opts.cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    if (opts.stdin) opts.stdin.pipe(child.stdin); else child.stdin.end();
    child.stdin.on('error', () => undefined);
    if (opts.stdout) child.stdout.pipe(opts.stdout, { end: false }); else child.stdout.resume();
    const errOut = opts.tty ? opts.stdout : opts.stderr;
    if (errOut) child.stderr.pipe(errOut, { end: false }); else child.stderr.resume();
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => { opts.signal?.removeEventListener('abort', onAbort); resolve({ exitCode: code ?? (signal ? 128 + 9 : 1) }); });
    });
  }

  async execSync(id: string, cmd: string[]): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    const out = new PassThrough(), err = new PassThrough();
    const o: Buffer[] = [], e: Buffer[] = [];
    out.on('data', (c) => o.push(c)); err.on('data', (c) => e.push(c));
    const { exitCode } = await this.exec(id, { cmd, tty: false, stdout: out, stderr: err });
    return { stdout: Buffer.concat(o), stderr: Buffer.concat(e), exitCode };
  }

  /** Streams the container's `output` (what the test writes to it) until the container exits or the client leaves. */
  async attach(id: string, opts: Omit<ExecOptions, 'cmd'>): Promise<void> {
    const c = this.containers.get(id)!;
    const onData = (chunk: Buffer) => opts.stdout?.write(chunk);
    c.output.on('data', onData);
    if (opts.stdin) opts.stdin.on('data', (chunk: Buffer) => opts.stdout?.write(chunk)); // the "process" echoes its stdin
    await new Promise<void>((resolve) => {
      c.exited = resolve;
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    c.output.off('data', onData);
  }

  async portForward(_sandboxId: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => { sock.off('error', reject); resolve(sock); });
      sock.once('error', reject);
    });
  }

  private unsupported(what: string): never { throw new Error(`${what} is not part of the kubelet server's runtime double`); }
  async runPodSandbox(): Promise<string> { return this.unsupported('runPodSandbox'); }
  async stopPodSandbox(): Promise<void> { return this.unsupported('stopPodSandbox'); }
  async removePodSandbox(): Promise<void> { return this.unsupported('removePodSandbox'); }
  async createContainer(): Promise<string> { return this.unsupported('createContainer'); }
  async startContainer(): Promise<void> { return this.unsupported('startContainer'); }
  async stopContainer(): Promise<void> { return this.unsupported('stopContainer'); }
  async removeContainer(): Promise<void> { return this.unsupported('removeContainer'); }
}
