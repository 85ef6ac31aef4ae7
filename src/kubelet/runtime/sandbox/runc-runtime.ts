// The sandbox runtime in runc mode (Linux, root, runc and the CNI plugins present): each pod sandbox is a holder
// process owning the pod's network (CNI: bridge + host-local + portmap), UTS, IPC and PID namespaces
// (holder.ts); each container is `runc run` in the foreground over an OCI bundle whose root is an overlay of the
// image's layers plus a writable layer, joining the sandbox's namespaces (oci-spec.ts). runc stays the
// container's parent, so its exit status is the container's; nanokube holds the stdio pipes and writes the CRI log.
//
// On disk, under NANOKUBE_HOME/runtime:
//   runc/                    runc's --root (its container state)
//   netns/<sandbox id>       the network namespace bind mounts
//   sandboxes/<id>/          hosts, hostname, resolv.conf, state.json (what cleanup needs after a crash)
//   containers/<id>/         bundle/config.json, rootfs (overlay mount), upper/, work/
// Pods do not outlive the nanokube process: `recover()` at construction removes whatever a killed process left.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import type { LogFn } from '../../../client/log.js';
import { errorText } from '../../../client/log.js';
import { lowerdirsFor, unmountHostRootView } from '../../../images/index.js';
import type { ImageStoreReader } from '../../../images/index.js';
import type {
  ContainerConfig, ContainerFilter, ContainerRuntime, ContainerStats, ContainerStatus, ExecOptions, Image, ImageSpec, LinuxContainerResources,
  PodSandboxConfig, PodSandboxStatus, RuntimeVersion, SandboxState,
} from '../runtime.js';
import { ContainerCgroups } from './cgroups.js';
import { CniNetwork, clusterNetworkNames, ensureBridge, podIPFromResult, podNetworkConflist, type CniResult, type NetworkConfigList } from './cni.js';
import {
  LocalImageService, Records, containerLogPath, exitReason, newId, nowNs, type ContainerRecord, type SandboxRecord,
} from './common.js';
import type { CriLogOptions } from './cri-log.js';
import { killHolder, processStartTime, startHolder, type Holder } from './holder.js';
import { PTY_RELAY, TCP_RELAY, mountOverlay, mountsUnder, python3, run, unmount } from './helpers.js';
import { spawner } from './spawner.js';
import { MainProcess } from './main-process.js';
import { ensureMasquerade, removeClusterRules } from './masquerade.js';
import { buildOciSpec } from './oci-spec.js';
import { hostsFile, onResize, resolvConf, streamExec, waitForFile } from './streams.js';

export interface RuncRuntimeOptions {
  home: string;
  images: ImageStoreReader;
  cniBinDir: string;
  podCIDR?: string;
  log: LogFn;
  logOptions?: CriLogOptions;
  runc?: string;
}

interface SandboxState2 {
  netns: string | null;
  holderPid: number;
  holderStart: string;
  unsharePid: number;
  cni?: { conflist: NetworkConfigList; result?: CniResult; portMappings: PodSandboxConfig['portMappings'] };
}

interface RuncSandbox extends SandboxRecord {
  dir: string;
  holder: Holder | null;
  persisted: SandboxState2;
  /** The last write of state.json (see persist). */
  persisting?: Promise<void>;
  stopping?: Promise<void>;
}

interface RuncContainer extends ContainerRecord {
  dir: string;
  rootfs: string;
  mounted: boolean;
  initPid: number;
}

export class RuncRuntime implements ContainerRuntime {
  private readonly records = new Records();
  private readonly imageService: LocalImageService;
  private readonly cni: CniNetwork;
  private readonly cgroups: ContainerCgroups;
  private readonly dirs: { root: string; hostRoot: string; runc: string; netns: string; sandboxes: string; containers: string };
  private readonly runc: string;
  private podCIDR: string | undefined;
  private conflist: NetworkConfigList | null = null;
  /** The cluster's bridge (with its gateway address) and masquerade rule for the current podCIDR (pods wait for them). */
  private masquerade: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RuncRuntimeOptions) {
    const root = path.join(opts.home, 'runtime');
    this.dirs = { root, hostRoot: path.join(root, 'hostroot'), runc: path.join(root, 'runc'), netns: path.join(root, 'netns'), sandboxes: path.join(root, 'sandboxes'), containers: path.join(root, 'containers') };
    for (const d of Object.values(this.dirs)) fs.mkdirSync(d, { recursive: true });
    this.imageService = new LocalImageService(opts.images);
    this.cni = new CniNetwork(opts.cniBinDir, path.join(opts.home, 'cni', 'net.d'));
    this.cgroups = new ContainerCgroups(`nanokube-${clusterNetworkNames(opts.home).hash}`);
    this.runc = opts.runc ?? 'runc';
    if (opts.podCIDR) this.setPodCIDR(opts.podCIDR);
  }

  /** The node's podCIDR (from node.spec.podCIDR); pod sandboxes with their own network need it. */
  setPodCIDR(cidr: string): void {
    if (cidr === this.podCIDR) return;
    this.podCIDR = cidr;
    this.conflist = podNetworkConflist({ home: this.opts.home, podCIDR: cidr });
    this.cni.writeConflist(this.conflist);
    const { network, bridge } = clusterNetworkNames(this.opts.home);
    // The bridge exists (with the gateway address) as soon as the podCIDR is known, not only from the first pod:
    // the cluster DNS server listens on that address.
    const bridgeUp = ensureBridge(bridge, cidr).catch((e) =>
      this.opts.log({ level: 'warn', msg: 'creating the pod network bridge failed (the first pod creates it)', bridge, error: errorText(e) }));
    this.masquerade = Promise.all([bridgeUp, ensureMasquerade(network, cidr).catch((e) =>
      this.opts.log({ level: 'warn', msg: 'pods will not reach beyond the node: no masquerade rule', error: errorText(e) }))]).then(() => undefined);
  }

  async updateRuntimeConfig(config: { podCIDR: string }): Promise<void> {
    this.setPodCIDR(config.podCIDR);
    await this.masquerade;
  }

  async version(): Promise<RuntimeVersion> {
    const r = await run(this.runc, ['--version']);
    const v = /runc version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
    return { runtimeName: 'nanokube-runc', runtimeVersion: v, runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    const ownNetwork = config.namespaceOptions.network !== 'NODE';
    if (ownNetwork && !this.conflist) throw new Error('the node has no podCIDR yet: pod networking is not configured');
    const dir = path.join(this.dirs.sandboxes, id);
    // File work here goes through fs.promises (libuv's thread pool): pods start while the API serves, and a
    // synchronous call would stall every request for its disk wait.
    await fsp.mkdir(dir, { recursive: true });
    const netns = ownNetwork ? path.join(this.dirs.netns, id) : null;
    const s: RuncSandbox = {
      id, config, state: 'SANDBOX_NOTREADY', createdAt: nowNs(), ip: '', missingIsolation: [], dir, holder: null,
      persisted: { netns, holderPid: 0, holderStart: '', unsharePid: 0 },
    };
    this.records.sandboxes.set(id, s);
    try {
      // No state.json yet: until the holder runs there is nothing recover() needs it for (it unmounts whatever is
      // mounted under this home and removes the folder).
      await Promise.all([
        fsp.writeFile(path.join(dir, 'hostname'), `${ownNetwork ? config.hostname : readHostname()}\n`),
        fsp.writeFile(path.join(dir, 'resolv.conf'), resolvConf(config.dnsConfig)),
      ]);
      s.holder = await startHolder({
        netnsFile: netns,
        hostname: ownNetwork ? config.hostname : null,
        ipc: config.namespaceOptions.ipc !== 'NODE',
        pid: config.namespaceOptions.pid === 'POD',
      });
      s.persisted.holderPid = s.holder.pid;
      s.persisted.holderStart = s.holder.startTime;
      s.persisted.unsharePid = s.holder.unshare.pid;
      void s.holder.unshare.exited.then(() => { if (s.state === 'SANDBOX_READY') { s.state = 'SANDBOX_NOTREADY'; this.opts.log({ level: 'warn', msg: 'pod sandbox holder exited', sandbox: id }); } });
      if (netns && this.conflist) {
        await this.masquerade;
        const conflist = this.cni.effectiveList(this.conflist, config.portMappings);
        s.persisted.cni = { conflist, portMappings: config.portMappings };
        await this.persist(s);
        const result = await this.cni.setUp(conflist, { containerId: id, netns, portMappings: config.portMappings });
        s.persisted.cni.result = result;
        s.ip = podIPFromResult(result);
      }
      await Promise.all([
        this.persist(s),
        fsp.writeFile(path.join(dir, 'hosts'), hostsFile(s.ip, ownNetwork ? config.hostname : null, config.hostnameFQDN)),
      ]);
      s.state = 'SANDBOX_READY';
      return id;
    } catch (e) {
      await this.tearDownSandbox(s).catch(() => undefined);
      this.records.sandboxes.delete(id);
      await fsp.rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const s = this.records.sandboxes.get(podSandboxId) as RuncSandbox | undefined;
    if (!s) return;
    s.state = 'SANDBOX_NOTREADY';
    s.stopping ??= (async () => {
      await Promise.all(this.records.containersOf(s.id).map((c) => this.stopContainer(c.id, 0)));
      await this.tearDownSandbox(s);
    })();
    await s.stopping;
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    const s = this.records.sandboxes.get(podSandboxId) as RuncSandbox | undefined;
    if (!s) return;
    await this.stopPodSandbox(podSandboxId);
    for (const c of this.records.containersOf(s.id)) await this.removeContainer(c.id);
    this.records.sandboxes.delete(s.id);
    await s.persisting;
    await fsp.rm(s.dir, { recursive: true, force: true });
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    return this.records.sandboxStatus(this.records.sandbox(podSandboxId));
  }

  async listPodSandbox(filter?: { id?: string; state?: SandboxState; labelSelector?: Record<string, string> }): Promise<PodSandboxStatus[]> {
    return this.records.listSandboxes(filter);
  }

  /** Network teardown (CNI DEL), the holder and the netns mount; safe to repeat. */
  private async tearDownSandbox(s: RuncSandbox): Promise<void> {
    const st = s.persisted;
    if (st.cni && st.netns) {
      await this.cni.tearDown(st.cni.conflist, { containerId: s.id, netns: st.netns, portMappings: st.cni.portMappings }, st.cni.result)
        .catch((e) => this.opts.log({ level: 'warn', msg: 'CNI DEL failed', sandbox: s.id, error: errorText(e) }));
      st.cni = undefined;
    }
    if (s.holder) {
      killHolder(s.holder.pid, null);
      if (!s.holder.unshare.done) try { process.kill(s.holder.unshare.pid, 'SIGKILL'); } catch { /* gone */ }
      await s.holder.unshare.exited;
      s.holder = null;
    }
    if (st.netns) {
      await unmount(st.netns);
      // Still a mount point (EBUSY) when the lazy unmount did not take: once more, and never a crash of the
      // teardown over it (recover() removes whatever is left under this home).
      try { fs.rmSync(st.netns, { force: true }); } catch {
        await unmount(st.netns);
        try { fs.rmSync(st.netns, { force: true }); } catch (e) { this.opts.log({ level: 'warn', msg: 'removing a pod network namespace file failed', sandbox: s.id, error: errorText(e) }); }
      }
    }
    await this.persist(s);
  }

  /**
   * Writes the sandbox's recovery state (state.json: what recover() undoes after a crash). Writes of one sandbox
   * are chained, so the file always ends as the latest state; callers await it before the step it must cover.
   */
  private persist(s: RuncSandbox): Promise<void> {
    const state = JSON.stringify(s.persisted);
    s.persisting = (s.persisting ?? Promise.resolve())
      .then(() => fsp.writeFile(path.join(s.dir, 'state.json'), state))
      .catch(() => undefined /* removed */);
    return s.persisting;
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const s = this.records.sandbox(podSandboxId) as RuncSandbox;
    if (s.state !== 'SANDBOX_READY' || !s.holder) throw new Error(`pod sandbox ${podSandboxId} is not ready`);
    const image = await this.imageService.resolve(config.image.image);
    const id = newId();
    const dir = path.join(this.dirs.containers, id);
    const rootfs = path.join(dir, 'rootfs');
    await Promise.all(['bundle', 'rootfs', 'upper', 'work'].map((d) => fsp.mkdir(path.join(dir, d), { recursive: true })));
    const c: RuncContainer = {
      id, sandboxId: s.id, config, image, state: 'CONTAINER_CREATED', createdAt: nowNs(), startedAt: 0, finishedAt: 0,
      exitCode: 0, reason: '', message: '', logPath: containerLogPath(sandboxConfig ?? s.config, config), main: null,
      stopping: false, dir, rootfs, mounted: false, initPid: 0,
    };
    try {
      await mountOverlay(lowerdirsFor(image.layers, this.dirs.hostRoot), path.join(dir, 'upper'), path.join(dir, 'work'), rootfs);
      c.mounted = true;
      const opts = s.config.namespaceOptions;
      const target = config.linux?.pidNamespaceTarget ? this.records.containers.get(config.linux.pidNamespaceTarget) as RuncContainer | undefined : undefined;
      const mem = config.linux?.resources?.memoryLimitInBytes;
      await this.cgroups.prepare(id, mem);
      const spec = buildOciSpec({
        config, sandbox: s.config, image: image.config, rootfs,
        etcFiles: { hosts: path.join(s.dir, 'hosts'), hostname: path.join(s.dir, 'hostname'), resolvConf: path.join(s.dir, 'resolv.conf') },
        namespaces: {
          netns: s.persisted.netns, holderPid: s.holder.pid, ownUts: opts.network !== 'NODE', ownIpc: opts.ipc !== 'NODE',
          sharedPid: opts.pid === 'POD', hostPid: opts.pid === 'NODE',
          ...(target?.state === 'CONTAINER_RUNNING' && target.initPid ? { targetPid: target.initPid } : {}),
        },
        cgroupsPath: this.cgroups.paths(id).runc,
        hiddenPaths: image.layers.includes('/') ? this.hiddenHostPaths() : [],
        memoryLimitInRunc: this.cgroups.version !== 1,
      });
      // (The log's folder is made with the log, as the container starts: cri-log.ts.)
      await fsp.writeFile(path.join(dir, 'bundle', 'config.json'), JSON.stringify(spec));
    } catch (e) {
      await this.cleanupContainerFiles(c);
      throw e;
    }
    this.records.containers.set(id, c);
    return id;
  }

  /** What a container on the host's root filesystem must not see: this cluster's home and kubeconfigs. */
  private hiddenHostPaths(): string[] {
    const candidates = [path.resolve(this.opts.home), path.join(os.homedir(), '.kube'), path.join(os.homedir(), '.nanokube')];
    for (const k of (process.env.KUBECONFIG ?? '').split(':').filter(Boolean)) candidates.push(path.dirname(path.resolve(k)));
    return [...new Set(candidates)].filter((p) => p !== '/' && fs.existsSync(p) && fs.statSync(p).isDirectory());
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.records.container(containerId) as RuncContainer;
    if (c.state !== 'CONTAINER_CREATED') throw new Error(`container ${containerId} is ${c.state}, not created`);
    const pidFile = path.join(c.dir, 'init.pid');
    const runcLog = path.join(c.dir, 'runc.log');
    const runcArgs = ['--root', this.dirs.runc, '--log', runcLog, '--log-format', 'json', 'run', '--bundle', path.join(c.dir, 'bundle'), '--pid-file', pidFile, c.id];
    const tty = !!c.config.tty;
    const py = tty ? python3() : null;
    if (tty && !py) throw new Error('a tty container needs python3 (for its pseudo-terminal)');
    // Without stdin or a tty (the common case), the spawner starts runc: a spawn from this process blocks the
    // event loop for a fork of all of its memory (spawner.ts).
    const child = tty
      ? spawn(py!, ['-c', PTY_RELAY, '80', '24', this.runc, ...runcArgs], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true })
      : c.config.stdin
        ? spawn(this.runc, runcArgs, { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
        : await spawner.spawnPiped(this.runc, runcArgs);
    const main = new MainProcess(child, c.logPath, this.opts.logOptions ?? {}, { tty, stdin: !!c.config.stdin || tty });
    c.main = main;
    const exitedEarly = new AbortController();
    void main.wait().then(() => exitedEarly.abort());
    const started = await waitForFile(pidFile, exitedEarly.signal);
    if (!started) {
      const exit = await main.wait();
      c.state = 'CONTAINER_EXITED';
      c.startedAt = c.finishedAt = nowNs();
      c.exitCode = 128;
      c.reason = 'StartError';
      c.message = runcError(runcLog) || `runc exited with ${exit.code}`;
      await this.afterExit(c);
      throw new Error(`failed to start container "${c.config.metadata.name}": ${c.message}`);
    }
    // A few bytes runc has just renamed into place: read at once, no round trip through the thread pool.
    c.initPid = Number(fs.readFileSync(pidFile, 'utf8').trim()) || 0;
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = nowNs();
    void main.wait().then(async (exit) => {
      c.exitCode = exit.code;
      const oom = exit.code === 137 && !c.stopping && this.cgroups.oomKilled(c.id);
      c.reason = exitReason(exit.code, oom);
      c.finishedAt = nowNs();
      c.state = 'CONTAINER_EXITED';
      await this.afterExit(c);
    });
  }

  /** After the main process is gone: the rootfs unmounted and the cgroups removed (the upper dir stays until removal). */
  private async afterExit(c: RuncContainer): Promise<void> {
    if (c.mounted) { await unmount(c.rootfs); c.mounted = false; }
    await this.cgroups.remove(c.id);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.records.containers.get(containerId) as RuncContainer | undefined;
    if (!c || !c.main || c.main.exited) return;
    c.stopping = true;
    const exited = c.main.wait();
    if (timeoutSeconds > 0) {
      this.signalInit(c, 'SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), delay(timeoutSeconds * 1000).then(() => true)]);
      if (!timedOut) return;
    }
    // SIGKILL to every process of the container's cgroup (runc kill --all does the same), then to runc's init.
    this.killAll(c);
    const done = await Promise.race([exited.then(() => true), delay(5000).then(() => false)]);
    if (!done) { this.killAll(c); try { process.kill(c.main.child.pid!, 'SIGKILL'); } catch { /* gone */ } await exited; }
  }

  private signalInit(c: RuncContainer, sig: NodeJS.Signals): void {
    if (c.initPid) { try { process.kill(c.initPid, sig); } catch { /* gone */ } }
  }

  private killAll(c: RuncContainer): void {
    this.signalInit(c, 'SIGKILL');
    for (const pid of this.cgroupPids(c)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }

  private cgroupPids(c: RuncContainer): number[] {
    const rel = this.cgroups.paths(c.id).runc;
    for (const f of [`/sys/fs/cgroup/pids${rel}/cgroup.procs`, `/sys/fs/cgroup/memory${rel}/cgroup.procs`, `/sys/fs/cgroup${rel}/cgroup.procs`]) {
      try { return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number); } catch { /* next */ }
    }
    return [];
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.records.containers.get(containerId) as RuncContainer | undefined;
    if (!c) return;
    await this.stopContainer(containerId, 0);
    await this.cleanupContainerFiles(c);
    this.records.containers.delete(containerId);
  }

  private async cleanupContainerFiles(c: RuncContainer): Promise<void> {
    if (c.mounted) { await unmount(c.rootfs); c.mounted = false; }
    await this.cgroups.remove(c.id);
    await fsp.rm(c.dir, { recursive: true, force: true });
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    return this.records.listContainers(filter);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.records.containerStatus(this.records.container(containerId));
  }

  /** From each container's cgroup (cgroups.ts): CPU from cpuacct / cpu.stat, the working set from the memory controller. */
  async listContainerStats(): Promise<ContainerStats[]> {
    const timestamp = Date.now() * 1e6;
    const out: ContainerStats[] = [];
    for (const c of this.records.containers.values()) {
      if (c.state !== 'CONTAINER_RUNNING') continue;
      const s = this.cgroups.stats(c.id);
      if (!s) continue;
      out.push({ containerId: c.id, podSandboxId: c.sandboxId, name: c.config.metadata.name, timestamp, ...s });
    }
    return out;
  }

  async updateContainerResources(containerId: string, resources: LinuxContainerResources): Promise<void> {
    const c = this.records.container(containerId) as RuncContainer;
    if (resources.memoryLimitInBytes && this.cgroups.version === 1) this.cgroups.setMemoryLimit(c.id, resources.memoryLimitInBytes);
    const args = ['--root', this.dirs.runc, 'update'];
    if (resources.cpuShares) args.push('--cpu-share', String(resources.cpuShares));
    if (resources.cpuQuota) args.push('--cpu-quota', String(resources.cpuQuota), '--cpu-period', String(resources.cpuPeriod || 100000));
    if (resources.memoryLimitInBytes && this.cgroups.version !== 1) args.push('--memory', String(resources.memoryLimitInBytes));
    if (args.length > 3 && c.state === 'CONTAINER_RUNNING') await run(this.runc, [...args, c.id]);
  }

  // ---- streaming ----

  private running(containerId: string): RuncContainer {
    const c = this.records.container(containerId) as RuncContainer;
    if (c.state !== 'CONTAINER_RUNNING') throw new Error(`container ${containerId} is not running`);
    return c;
  }

  /** runc exec's arguments, with files for its pid (to kill the exec'd process) and its own errors. */
  private execFiles(c: RuncContainer): { pid: string; log: string; args: string[] } {
    const base = path.join(c.dir, `exec-${newId().slice(0, 8)}`);
    return { pid: `${base}.pid`, log: `${base}.log`, args: ['--root', this.dirs.runc, '--log', `${base}.log`, '--log-format', 'json', 'exec', '--pid-file', `${base}.pid`] };
  }

  /** After runc exec ended: an Error when the command never started (not found, bad cwd, ...), as CRI reports it. */
  private execOutcome(f: { pid: string; log: string }, code: number): Error | null {
    const started = fs.existsSync(f.pid);
    const why = started || code === 0 ? '' : runcError(f.log) || `runc exec exited with ${code}`;
    fs.rmSync(f.pid, { force: true });
    fs.rmSync(f.log, { force: true });
    return why ? new Error(`failed to exec in container: ${why}`) : null;
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
    const c = this.running(containerId);
    const f = this.execFiles(c);
    const child = spawn(this.runc, [...f.args, c.id, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = timeoutSeconds > 0 ? setTimeout(() => { timedOut = true; killByPidFile(f.pid); }, timeoutSeconds * 1000) : null;
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(126));
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    });
    if (timer) clearTimeout(timer);
    const failed = this.execOutcome(f, code);
    if (timedOut) throw Object.assign(new Error(`command ${JSON.stringify(cmd)} timed out after ${timeoutSeconds}s`), { name: 'TimeoutError' });
    if (failed) throw failed;
    return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code };
  }

  async exec(containerId: string, opts: ExecOptions): Promise<{ exitCode: number }> {
    const c = this.running(containerId);
    const f = this.execFiles(c);
    let result: { exitCode: number } = { exitCode: 1 };
    try {
      // As containerd: a terminal session gets TERM=xterm unless the container sets TERM itself.
      const term = opts.tty && !c.config.envs.some((e) => e.key === 'TERM') ? ['--env', 'TERM=xterm'] : [];
      result = await streamExec({ command: this.runc, args: [...f.args, ...(opts.tty ? ['-t'] : []), ...term, c.id, ...opts.cmd], opts, kill: () => killByPidFile(f.pid), startedFile: f.pid });
    } finally {
      const failed = this.execOutcome(f, result.exitCode);
      if (failed) throw failed;
    }
    return result;
  }

  async attach(containerId: string, opts: Omit<ExecOptions, 'cmd'>): Promise<void> {
    const c = this.running(containerId);
    await attachTo(c, opts);
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    const s = this.records.sandbox(podSandboxId) as RuncSandbox;
    if (!s.persisted.netns) return connectTcp('127.0.0.1', port);
    const py = python3();
    if (!py) return connectTcp(s.ip, port); // reaches only what listens on the pod IP, not on its 127.0.0.1
    return relayInNetns(s.persisted.netns, py, port);
  }

  // ---- images ----

  listImages(): Promise<Image[]> { return this.imageService.listImages(); }
  imageStatus(image: ImageSpec): Promise<Image | null> { return this.imageService.imageStatus(image); }
  pullImage(image: ImageSpec): Promise<string> { return this.imageService.pullImage(image); }
  removeImage(image: ImageSpec): Promise<void> { return this.imageService.removeImage(image); }

  // ---- lifecycle ----

  async shutdown(): Promise<void> {
    await Promise.all([...this.records.sandboxes.keys()].map((id) => this.removePodSandbox(id).catch((e) =>
      this.opts.log({ level: 'warn', msg: 'removing pod sandbox at shutdown failed', sandbox: id, error: errorText(e) }))));
    for (const c of [...this.records.containers.keys()]) await this.removeContainer(c).catch(() => undefined);
    await this.cgroups.removeAll();
    unmountHostRootView(this.dirs.hostRoot);
    await this.masquerade;
    await removeClusterRules(clusterNetworkNames(this.opts.home).network, clusterNetworkNames(this.opts.home).network);
    await this.removeBridge();
  }

  /**
   * Removes what a previous nanokube process on this home left after being killed: its runc containers (runc's
   * state lives under this home's runtime/runc), holders, CNI attachments (DEL with the recorded config and result,
   * releasing IPs and portmap/masquerade rules), netns and rootfs mounts, cgroups and the bridge. Touches nothing
   * of another home: every name it removes is derived from this home.
   */
  async recover(): Promise<void> {
    const list = await run(this.runc, ['--root', this.dirs.runc, 'list', '--format', 'json']);
    let stale: Array<{ id: string; pid: number }> = [];
    try { stale = JSON.parse(list.stdout || 'null') ?? []; } catch { /* none */ }
    for (const c of stale) {
      await run(this.runc, ['--root', this.dirs.runc, 'kill', '--all', c.id, 'KILL']);
      await run(this.runc, ['--root', this.dirs.runc, 'delete', '--force', c.id]);
    }
    let sandboxes: string[] = [];
    try { sandboxes = fs.readdirSync(this.dirs.sandboxes); } catch { /* none */ }
    for (const id of sandboxes) {
      let st: SandboxState2 | null = null;
      try { st = JSON.parse(fs.readFileSync(path.join(this.dirs.sandboxes, id, 'state.json'), 'utf8')) as SandboxState2; } catch { /* partial */ }
      if (st?.holderPid) killHolder(st.holderPid, st.holderStart);
      if (st?.unsharePid && processStartTime(st.unsharePid) !== null && isUnshare(st.unsharePid, id)) { try { process.kill(st.unsharePid, 'SIGKILL'); } catch { /* gone */ } }
      if (st?.cni && st.netns) {
        await this.cni.tearDown(st.cni.conflist, { containerId: id, netns: st.netns, portMappings: st.cni.portMappings }, st.cni.result)
          .catch((e) => this.opts.log({ level: 'warn', msg: 'CNI DEL of a stale sandbox failed', sandbox: id, error: errorText(e) }));
      }
    }
    // Whatever else still runs with this home's runtime state on its command line (runc run of a container that
    // was already gone from runc's list, a holder whose state file was never written).
    killProcessesMentioning(this.dirs.root);
    for (const m of mountsUnder(this.dirs.root)) await unmount(m);
    await removeClusterRules(clusterNetworkNames(this.opts.home).network, clusterNetworkNames(this.opts.home).network);
    await this.cgroups.removeAll();
    for (const d of [this.dirs.sandboxes, this.dirs.containers, this.dirs.netns, this.dirs.runc]) {
      fs.rmSync(d, { recursive: true, force: true });
      fs.mkdirSync(d, { recursive: true });
    }
    // Every pod of this home is gone, so every address host-local handed out is free again.
    fs.rmSync(path.join(this.opts.home, 'cni', 'state'), { recursive: true, force: true });
    await this.removeBridge();
  }

  private async removeBridge(): Promise<void> {
    const { bridge } = clusterNetworkNames(this.opts.home);
    if (fs.existsSync(`/sys/class/net/${bridge}`)) await run('ip', ['link', 'delete', bridge]);
  }
}

function killProcessesMentioning(text: string): void {
  let entries: string[] = [];
  try { entries = fs.readdirSync('/proc'); } catch { return; }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text + '/')) process.kill(Number(e), 'SIGKILL');
    } catch { /* gone */ }
  }
}

function isUnshare(pid: number, sandboxId: string): boolean {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(sandboxId); } catch { return false; }
}

function readHostname(): string {
  try { return fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(); } catch { return 'localhost'; }
}

/** A timer that does not keep the process alive (a stop that finished early leaves it pending). */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function killByPidFile(pidFile: string): void {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch { /* not started or gone */ }
}

/** The last error runc logged (its --log in JSON lines). */
function runcError(logFile: string): string {
  try {
    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').reverse();
    for (const l of lines) {
      try {
        const j = JSON.parse(l) as { level?: string; msg?: string };
        if (j.level === 'error' && j.msg) return j.msg;
      } catch { /* not JSON */ }
    }
  } catch { /* no log */ }
  return '';
}

export async function attachTo(c: ContainerRecord, opts: Omit<ExecOptions, 'cmd'>): Promise<void> {
  const main = c.main;
  if (!main) throw new Error(`container ${c.id} has no process to attach to`);
  if (opts.stdin && main.stdin) {
    const target = main.stdin;
    const onData = (b: Buffer) => target.write(b);
    opts.stdin.on('data', onData);
    opts.stdin.once('end', () => {
      opts.stdin!.off('data', onData);
      if (c.config.stdinOnce) target.end();
    });
  }
  const ctl = main.resizeControl;
  if (ctl) onResize(opts.resize, (s) => { if (!ctl.writableEnded) ctl.write(`${s.width} ${s.height}\n`); });
  await main.attach({ stdout: opts.stdout, stderr: opts.tty ? undefined : opts.stderr }, opts.signal);
}

export function connectTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.once('connect', () => { sock.off('error', reject); resolve(sock); });
    sock.once('error', reject);
  });
}

/** A byte stream to 127.0.0.1:port inside a network namespace: `nsenter --net=<netns> python3 <relay>`. */
function relayInNetns(netns: string, py: string, port: number): Promise<Duplex> {
  const child = spawn('nsenter', [`--net=${netns}`, py, '-c', TCP_RELAY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.on('error', reject);
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.startsWith('+')) {
        const d = Duplex.from({ readable: child.stdout, writable: child.stdin });
        d.on('close', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
        child.stdin.on('error', () => undefined);
        resolve(d);
      }
    });
    child.on('exit', (code) => {
      if (!err.startsWith('+')) reject(new Error(`port-forward to port ${port} failed: ${err.replace(/^-/, '').trim() || `relay exited with ${code}`}`));
    });
  });
}
