// The sandbox runtime's plain-process mode, for when runc sandboxes are not possible (not root, not Linux, runc or
// the CNI plugins missing): each container is a host process in its own process group (so stop takes the whole
// tree), with the argv, env and working directory asked, on the host network, its output in the same CRI logs.
// Every sandbox reports what it lacks in missingIsolation ('network', 'mount', 'uts', 'pid', 'ipc') so the kubelet
// can say so in an event. Pods share the node's ports, so a port clash must not pass silently:
//   - runPodSandbox fails with "port N is already in use on the node" when a declared containerPort/hostPort is
//     held by another sandbox of this runtime or cannot be bound on the host at that moment;
//   - listeningPorts(sandboxId) tells which TCP ports the pod's processes listen on (from /proc on Linux).
// The program runs from the host's filesystem. An image's own layers (those above a host-root base, e.g. the
// files a Dockerfile COPYs) are copied into a folder per container (filesDir), and the working directory and an
// absolute program path are taken from there when they exist in it: so `WORKDIR /app` + `CMD python app.py` runs
// the image's app.py with the host's python. Other paths the program opens are the host's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { LogFn } from '../../../client/log.js';
import type { ImageStoreReader } from '../../../images/index.js';
import type {
  ContainerConfig, ContainerFilter, ContainerRuntime, ContainerStats, ContainerStatus, ExecOptions, Image, ImageSpec, PodSandboxConfig,
  PodSandboxStatus, RuntimeVersion, SandboxState,
} from '../runtime.js';
import { LocalImageService, Records, containerLogPath, exitReason, newId, nowNs, type ContainerRecord } from './common.js';
import type { CriLogOptions } from './cri-log.js';
import { processStartTime } from './holder.js';
import { allProcesses, processGroup, processGroupUsage } from './proc-stats.js';
import { MainProcess } from './main-process.js';
import { containerArgv, containerEnv } from './oci-spec.js';
import { processPrivileges, userLookupRoot, type ProcessPrivileges } from './process-privileges.js';
import { attachTo, connectTcp } from './runc-runtime.js';
import { streamExec } from './streams.js';

export interface ProcessRuntimeOptions {
  images: ImageStoreReader;
  log: LogFn;
  logOptions?: CriLogOptions;
  /** Folder for per-container copies of the images' own files (NANOKUBE_HOME/runtime/process-files). */
  filesDir?: string;
  /** Folder recording the process groups this runtime started (NANOKUBE_HOME/runtime/processes), so a restart
   *  after a crash can end them; none when unset. */
  stateDir?: string;
}

export const PROCESS_MODE_MISSING_ISOLATION = ['network', 'mount', 'uts', 'pid', 'ipc'];

export class ProcessRuntime implements ContainerRuntime {
  private readonly records = new Records();
  private readonly imageService: LocalImageService;
  /** TCP ports each sandbox declared (containerPort / hostPort): one node network, so one owner per port. */
  private readonly ports = new Map<string, number[]>();
  /** How each container's processes get its securityContext (process-privileges.ts). */
  private readonly privileges = new Map<string, ProcessPrivileges>();

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.imageService = new LocalImageService(opts.images);
  }

  setPodCIDR(_cidr: string): void { /* host network: no pod addresses */ }
  async updateRuntimeConfig(_config: { podCIDR: string }): Promise<void> { /* host network */ }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'nanokube-process', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const wanted = [...new Set(config.portMappings.filter((p) => p.protocol === 'TCP').flatMap((p) => [p.containerPort, p.hostPort ?? 0]).filter((p) => p > 0))];
    for (const port of wanted) {
      for (const [other, ports] of this.ports) {
        const s = this.records.sandboxes.get(other);
        if (ports.includes(port) && s && s.state === 'SANDBOX_READY') {
          throw new Error(`port ${port} is already in use on the node by pod ${s.config.metadata.namespace}/${s.config.metadata.name} (pods run as plain processes on the node's network here)`);
        }
      }
      if (!(await canBind(port))) throw new Error(`port ${port} is already in use on the node (pods run as plain processes on the node's network here)`);
    }
    const id = newId();
    this.ports.set(id, wanted);
    this.records.sandboxes.set(id, {
      id, config, state: 'SANDBOX_READY', createdAt: nowNs(), ip: '',
      missingIsolation: config.namespaceOptions.network === 'NODE' ? ['mount', 'pid', 'ipc'] : [...PROCESS_MODE_MISSING_ISOLATION],
    });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const s = this.records.sandboxes.get(podSandboxId);
    if (!s) return;
    s.state = 'SANDBOX_NOTREADY';
    this.ports.delete(podSandboxId);
    await Promise.all(this.records.containersOf(podSandboxId).map((c) => this.stopContainer(c.id, 0)));
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    if (!this.records.sandboxes.has(podSandboxId)) return;
    await this.stopPodSandbox(podSandboxId);
    for (const c of this.records.containersOf(podSandboxId)) await this.removeContainer(c.id);
    this.records.sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    return this.records.sandboxStatus(this.records.sandbox(podSandboxId));
  }

  async listPodSandbox(filter?: { id?: string; state?: SandboxState; labelSelector?: Record<string, string> }): Promise<PodSandboxStatus[]> {
    return this.records.listSandboxes(filter);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const s = this.records.sandbox(podSandboxId);
    if (s.state !== 'SANDBOX_READY') throw new Error(`pod sandbox ${podSandboxId} is not ready`);
    const image = await this.imageService.resolve(config.image.image);
    const id = newId();
    const c: ContainerRecord = {
      id, sandboxId: s.id, config, image, state: 'CONTAINER_CREATED', createdAt: nowNs(), startedAt: 0, finishedAt: 0,
      exitCode: 0, reason: '', message: '', logPath: containerLogPath(sandboxConfig ?? s.config, config), main: null, stopping: false,
    };
    // The image's own files are copied now (its /etc/passwd may name the user); a securityContext this mode cannot
    // honour fails the creation.
    try {
      this.copyImageFiles(c);
      this.privileges.set(id, processPrivileges(config, image.config, userLookupRoot(this.filesOf(c))));
    } catch (e) {
      const files = this.filesOf(c);
      if (files) fs.rmSync(files, { recursive: true, force: true });
      throw e;
    }
    this.records.containers.set(id, c);
    return id;
  }

  private env(c: ContainerRecord): Record<string, string> {
    const env: Record<string, string> = {};
    const s = this.records.sandboxes.get(c.sandboxId);
    for (const kv of containerEnv(c.config, c.image.config, s?.config.hostname ?? os.hostname())) {
      const i = kv.indexOf('=');
      env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const home = this.privileges.get(c.id)?.home;
    if (home && env.HOME === undefined) env.HOME = home;
    return env;
  }

  /** The container's copy of its image's own files, or null when the image is the host's root filesystem only. */
  private filesOf(c: ContainerRecord): string | null {
    return this.opts.filesDir && c.image.layers.some((l) => l !== '/') ? path.join(this.opts.filesDir, c.id) : null;
  }

  private copyImageFiles(c: ContainerRecord): void {
    const dir = this.filesOf(c);
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    for (const layer of c.image.layers) {
      if (layer === '/') continue;
      // Whiteouts (deleted files: overlayfs's 0/0 character devices, or OCI's .wh. files) and other special files
      // are skipped: with a plain copy there is nothing below to hide.
      fs.cpSync(layer, dir, {
        recursive: true, force: true, verbatimSymlinks: true,
        filter: (src) => {
          if (path.basename(src).startsWith('.wh.')) return false;
          const st = fs.lstatSync(src);
          return st.isFile() || st.isDirectory() || st.isSymbolicLink();
        },
      });
    }
  }

  /** A path of the container's file system: in its image's own files when there, else the host's. */
  private inImage(c: ContainerRecord, p: string): string | null {
    const dir = this.filesOf(c);
    if (dir && path.isAbsolute(p) && fs.existsSync(path.join(dir, p))) return path.join(dir, p);
    return fs.existsSync(p) ? p : null;
  }

  /** A bare program name found in the image's own files along the container's PATH (e.g. a base layer's python). */
  private lookPathInImage(c: ContainerRecord, name: string): string | null {
    const dir = this.filesOf(c);
    if (!dir) return null;
    for (const p of (this.env(c).PATH ?? '').split(':')) {
      const candidate = path.join(dir, p, name);
      try { if (fs.statSync(candidate).isFile()) return candidate; } catch { /* not there (or a dangling link) */ }
    }
    return null;
  }

  private cwd(c: ContainerRecord): string {
    for (const d of [c.config.workingDir, c.image.config.workingDir]) {
      const found = d ? this.inImage(c, d) : null;
      if (found) return found;
    }
    return '/';
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.records.container(containerId);
    if (c.state !== 'CONTAINER_CREATED') throw new Error(`container ${containerId} is ${c.state}, not created`);
    const argv = containerArgv(c.config, c.image.config);
    if (!argv.length) throw new Error(`container "${c.config.metadata.name}" has no command`);
    if (argv[0]!.startsWith('/')) argv[0] = this.inImage(c, argv[0]!) ?? argv[0]!;
    else if (!argv[0]!.includes('/')) argv[0] = this.lookPathInImage(c, argv[0]!) ?? argv[0]!;
    const env = this.env(c);
    // Through the privilege wrappers only when the program exists: a missing one fails the spawn itself (StartError).
    const wrapped = this.wrap(argv, this.privileges.get(c.id)?.main ?? [], env, this.cwd(c));
    const child = spawn(wrapped[0]!, wrapped.slice(1), {
      cwd: this.cwd(c), env, detached: true,
      stdio: [c.config.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const main = new MainProcess(child, c.logPath, this.opts.logOptions ?? {}, { stdin: !!c.config.stdin });
    c.main = main;
    const spawned = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (e) => resolve(e));
    });
    if (spawned) {
      await main.wait();
      c.state = 'CONTAINER_EXITED';
      c.startedAt = c.finishedAt = nowNs();
      c.exitCode = 128;
      c.reason = 'StartError';
      c.message = spawned.message;
      throw new Error(`failed to start container "${c.config.metadata.name}": ${spawned.message}`);
    }
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = nowNs();
    const record = this.opts.stateDir ? path.join(this.opts.stateDir, String(child.pid)) : null;
    if (record) { fs.mkdirSync(this.opts.stateDir!, { recursive: true }); fs.writeFileSync(record, processStartTime(child.pid!) ?? ''); }
    void main.wait().then((exit) => {
      if (record) fs.rmSync(record, { force: true });
      // The group may keep children that outlived the main process: they belong to the container, so they go.
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* none left */ }
      c.exitCode = exit.code;
      c.reason = exitReason(exit.code, false);
      c.finishedAt = nowNs();
      c.state = 'CONTAINER_EXITED';
    });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.records.containers.get(containerId);
    if (!c || !c.main || c.main.exited) return;
    c.stopping = true;
    const pgid = c.main.child.pid!;
    const exited = c.main.wait();
    if (timeoutSeconds > 0) {
      try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
      const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), timeoutSeconds * 1000).unref())]);
      if (!timedOut) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* none left */ } return; }
    }
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    await exited;
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.records.containers.get(containerId);
    if (!c) return;
    await this.stopContainer(containerId, 0);
    const files = this.filesOf(c);
    if (files) fs.rmSync(files, { recursive: true, force: true });
    this.records.containers.delete(containerId);
    this.privileges.delete(containerId);
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    return this.records.listContainers(filter);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.records.containerStatus(this.records.container(containerId));
  }

  /** From /proc: each running container is its process group (proc-stats.ts says what that misses). */
  async listContainerStats(): Promise<ContainerStats[]> {
    const running = [...this.records.containers.values()].filter((c) => c.state === 'CONTAINER_RUNNING' && c.main && !c.main.exited);
    if (running.length === 0) return [];
    const procs = allProcesses();
    const timestamp = Date.now() * 1e6;
    return running.map((c) => {
      const u = processGroupUsage(c.main!.child.pid!, procs);
      return { containerId: c.id, podSandboxId: c.sandboxId, name: c.config.metadata.name, timestamp,
        usageCoreNanoSeconds: u.cpuNs, workingSetBytes: u.rssBytes, usageBytes: u.rssBytes };
    });
  }

  private execPrivileges(c: ContainerRecord): string[] {
    const pid = c.main?.child.pid;
    return pid ? this.privileges.get(c.id)?.exec(pid) ?? [] : [];
  }

  /** argv behind `prefix` when its program can be found (absolute, or on the container's PATH), else as it is. */
  private wrap(argv: string[], prefix: string[], env: Record<string, string>, cwd: string): string[] {
    if (!prefix.length) return argv;
    const p = argv[0]!;
    const dirs = p.includes('/') ? [cwd] : (env.PATH ?? '').split(':').filter(Boolean);
    const exists = dirs.some((d) => { try { fs.accessSync(path.resolve(d, p), fs.constants.X_OK); return true; } catch { return false; } });
    return exists ? [...prefix, ...argv] : argv;
  }

  private running(containerId: string): ContainerRecord {
    const c = this.records.container(containerId);
    if (c.state !== 'CONTAINER_RUNNING') throw new Error(`container ${containerId} is not running`);
    return c;
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    const c = this.running(containerId);
    const env = this.env(c);
    const argv = this.wrap(cmd, this.execPrivileges(c), env, this.cwd(c));
    const child = spawn(argv[0]!, argv.slice(1), { cwd: this.cwd(c), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = timeoutSeconds > 0 ? setTimeout(() => { timedOut = true; try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutSeconds * 1000) : null;
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(126));
      child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)));
    });
    if (timer) clearTimeout(timer);
    if (timedOut) throw Object.assign(new Error(`command ${JSON.stringify(cmd)} timed out after ${timeoutSeconds}s`), { name: 'TimeoutError' });
    return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code };
  }

  async exec(containerId: string, opts: ExecOptions): Promise<{ exitCode: number }> {
    const c = this.running(containerId);
    const env = this.env(c);
    const argv = this.wrap(opts.cmd, this.execPrivileges(c), env, this.cwd(c));
    return streamExec({ command: argv[0]!, args: argv.slice(1), opts, env, cwd: this.cwd(c), kill: () => undefined });
  }

  async attach(containerId: string, opts: Omit<ExecOptions, 'cmd'>): Promise<void> {
    await attachTo(this.running(containerId), opts);
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    this.records.sandbox(podSandboxId);
    return connectTcp('127.0.0.1', port);
  }

  /** TCP ports the sandbox's processes listen on (Linux /proc; empty elsewhere). */
  async listeningPorts(podSandboxId: string): Promise<number[]> {
    const pids = new Set<number>();
    for (const c of this.records.containersOf(podSandboxId)) {
      const pgid = c.main?.exited ? 0 : c.main?.child.pid;
      if (pgid) for (const p of processGroup(pgid)) pids.add(p);
    }
    const inodes = new Set<string>();
    for (const pid of pids) {
      let fds: string[] = [];
      try { fds = fs.readdirSync(`/proc/${pid}/fd`); } catch { continue; }
      for (const fd of fds) {
        try { const l = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); const m = /^socket:\[(\d+)\]$/.exec(l); if (m) inodes.add(m[1]!); } catch { /* closed */ }
      }
    }
    const ports = new Set<number>();
    for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text = '';
      try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.add(parseInt(cols[1]!.split(':')[1]!, 16));
      }
    }
    return [...ports].sort((a, b) => a - b);
  }

  listImages(): Promise<Image[]> { return this.imageService.listImages(); }
  imageStatus(image: ImageSpec): Promise<Image | null> { return this.imageService.imageStatus(image); }
  pullImage(image: ImageSpec): Promise<string> { return this.imageService.pullImage(image); }
  removeImage(image: ImageSpec): Promise<void> { return this.imageService.removeImage(image); }

  async shutdown(): Promise<void> {
    for (const id of [...this.records.sandboxes.keys()]) await this.removePodSandbox(id);
  }

  /** Ends the process groups a killed nanokube left running (recorded in stateDir with their start times). */
  async recover(): Promise<void> {
    if (this.opts.filesDir) fs.rmSync(this.opts.filesDir, { recursive: true, force: true });
    const dir = this.opts.stateDir;
    if (!dir) return;
    let entries: string[] = [];
    try { entries = fs.readdirSync(dir); } catch { return; }
    for (const e of entries) {
      const pid = Number(e);
      let start = '';
      try { start = fs.readFileSync(path.join(dir, e), 'utf8'); } catch { /* gone */ }
      if (pid > 0 && start && processStartTime(pid) === start) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
      fs.rmSync(path.join(dir, e), { force: true });
    }
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
