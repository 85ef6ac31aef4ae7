// `nanokube image build`: runs a Dockerfile as docker's builder does, one step at a time, into the local store.
// Each step that changes files yields a layer (an overlay upper dir, packed into a gzip OCI layer blob and kept
// unpacked for overlay use); the others only change the image config. A FROM names an image in the store, or a
// well-known base that stands for the host root filesystem (host-base.ts). RUN runs inside the image being built
// (run-in-image.ts). Multi-stage builds work (FROM ... AS name, FROM <stage>, COPY --from=<stage|index|image>);
// the last stage is the image. RUN --mount, here-documents, HEALTHCHECK and ONBUILD are refused with their line.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { copyIntoLayer, CopyError, makeDirInLayer } from './copy.js';
import { DirFs, ImageFs, type SourceFs } from './source-fs.js';
import { DockerIgnore } from './dockerignore.js';
import { parseDockerfile, type Instruction } from './dockerfile.js';
import { describeHostBase, ensureHostBaseImage, hostBaseFor } from './host-base.js';
import { resolveUser, statInImage } from './image-fs.js';
import { packLayer } from './layer.js';
import { ANNOTATION_HOST_ROOT, MEDIA_TYPE_CONFIG, MEDIA_TYPE_LAYER_GZIP, MEDIA_TYPE_MANIFEST, hostArchitecture, type Descriptor, type OciImageConfig, type OciManifest } from './oci.js';
import { familiarName, InvalidReferenceError, normalizeReference } from './reference.js';
import { runInImage, RunNeedsRootError } from './run-in-image.js';
import { processWord, processWords, SubstitutionError } from './shell-words.js';
import { imageNotPresentMessage, type ImageStore } from './store.js';

export interface BuildOptions {
  store: ImageStore;
  /** The build context folder. */
  context: string;
  /** The Dockerfile; default <context>/Dockerfile. */
  dockerfile?: string;
  /** -t names (at least one). */
  tags: string[];
  buildArgs?: Record<string, string>;
  /** Progress output ("Step 3/7 : RUN ..." and what RUN prints). */
  out: Writable;
}

export interface BuildResult { id: string; names: string[] }

/** A build failure, naming the Dockerfile and line when one is at fault. */
export class BuildError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(file && line ? `${file}:${line}: ${message}` : message);
    this.name = 'BuildError';
  }
}

interface Layer { diffId: string; desc: Descriptor; dir: string }

type ImageConfigBody = NonNullable<OciImageConfig['config']>;

const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** Build args docker predefines: usable without an ARG line, never kept in the image. */
const PREDEFINED_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

function formatSize(n: number): string {
  if (n < 1000) return `${n} B`;
  const u = ['kB', 'MB', 'GB'];
  let v = n / 1000, i = 0;
  while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${u[i]}`;
}

function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) { const i = e.indexOf('='); if (i > 0) m.set(e.slice(0, i), e.slice(i + 1)); }
  return m;
}

function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  return [...(env ?? []).filter((e) => !e.startsWith(key + '=')), `${key}=${value}`];
}

export async function buildImage(o: BuildOptions): Promise<BuildResult> {
  if (o.tags.length === 0) throw new BuildError('name the image with -t NAME[:TAG]');
  const names = o.tags.map((t) => { try { return normalizeReference(t); } catch (e) { throw new BuildError(`invalid tag "${t}": ${(e as InvalidReferenceError).why ?? (e as Error).message}`); } });
  const context = resolve(o.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) throw new BuildError(`build context ${o.context} is not a folder`);
  const dockerfilePath = o.dockerfile ? resolve(o.dockerfile) : join(context, 'Dockerfile');
  if (!existsSync(dockerfilePath)) {
    throw new BuildError(o.dockerfile ? `Dockerfile ${o.dockerfile} not found` : `no Dockerfile in ${o.context}; pass -f FILE`);
  }
  const rel = relative(process.cwd(), dockerfilePath);
  const shownFile = rel && !rel.startsWith('..') ? rel : dockerfilePath;
  const ignoreFile = join(context, '.dockerignore');
  const ignore = existsSync(ignoreFile) ? new DockerIgnore(readFileSync(ignoreFile, 'utf8')) : null;
  const df = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
  const steps = df.instructions;
  if (steps.length === 0) throw new BuildError(`${shownFile} has no instructions`);
  const buildArgs = o.buildArgs ?? {};
  const usedArgs = new Set<string>();
  const fail = (ins: Instruction, msg: string): never => { throw new BuildError(msg, shownFile, ins.line); };
  const say = (s: string) => o.out.write(s + '\n');

  const store = o.store;
  const work = store.tempDir('build');
  /** Layers this build added to the store: dropped again if the build fails and no image uses them. */
  const produced: { diffId: string; digest: string }[] = [];
  let built = false;
  try {
    // Build state.
    const metaArgs = new Map<string, string>();
    let fromSeen = false;
    let hostRoot = false;
    let layers: Layer[] = [];
    let config: ImageConfigBody = {};
    let history: NonNullable<OciImageConfig['history']> = [];
    let author: string | undefined;
    const args = new Map<string, string>();
    let shell = DEFAULT_SHELL;
    let cmdSetHere = false;
    // Multi-stage builds: each FROM starts a stage; earlier ones stay for FROM <stage> and COPY --from=<stage>.
    interface Stage { name?: string; hostRoot: boolean; layers: Layer[]; config: ImageConfigBody; history: NonNullable<OciImageConfig['history']> }
    const stages: Stage[] = [];
    let stageName: string | undefined;
    const findStage = (ref: string): Stage | undefined =>
      /^\d+$/.test(ref) ? stages[Number(ref)] : stages.find((st) => st.name !== undefined && st.name === ref.toLowerCase());

    const layerDirs = () => [...(hostRoot ? ['/'] : []), ...layers.map((l) => l.dir)];
    const vars = () => {
      const v = new Map(args);
      for (const [k, val] of envMap(config.Env)) v.set(k, val);
      return v;
    };
    const word = (ins: Instruction, s: string) => { try { return processWord(s, vars(), df.escape); } catch (e) { return fail(ins, (e as SubstitutionError).message); } };
    const words = (ins: Instruction, s: string) => { try { return processWords(s, vars(), df.escape); } catch (e) { return fail(ins, (e as SubstitutionError).message); } };
    const record = (ins: Instruction, emptyLayer: boolean) => {
      history.push({ created: new Date().toISOString(), created_by: ins.original, ...(emptyLayer ? { empty_layer: true } : {}) });
    };
    /** Turns a step's folder into a layer if the step changed anything; returns whether it did. */
    const commit = async (ins: Instruction, dir: string): Promise<boolean> => {
      if (readdirSync(dir).length === 0) { record(ins, true); return false; }
      const blob = join(work, `layer-${ins.line}.tar.gz`);
      const d = await packLayer(dir, blob);
      store.adoptBlob(blob, d.digest);
      const final = store.adoptLayerDir(dir, d.diffId);
      produced.push({ diffId: d.diffId, digest: d.digest });
      layers.push({ diffId: d.diffId, desc: { mediaType: MEDIA_TYPE_LAYER_GZIP, digest: d.digest, size: d.size }, dir: final });
      record(ins, false);
      say(` ---> new layer ${d.diffId.slice(7, 19)} (${formatSize(d.size)})`);
      return true;
    };
    const stepDir = (ins: Instruction, name: string) => { const p = join(work, `step-${ins.line}`, name); mkdirSync(p, { recursive: true }); return p; };

    for (let n = 0; n < steps.length; n++) {
      const ins = steps[n]!;
      say(`Step ${n + 1}/${steps.length} : ${ins.original}`);
      if (!fromSeen && ins.keyword !== 'FROM' && ins.keyword !== 'ARG') fail(ins, `${ins.keyword} before FROM: a Dockerfile starts with FROM (only ARG may come before it)`);
      switch (ins.keyword) {
        case 'ARG': {
          const ws = (() => { try { return processWords(ins.args, fromSeen ? vars() : metaArgs, df.escape); } catch (e) { return fail(ins, (e as Error).message); } })();
          if (ws.length === 0) fail(ins, 'ARG requires at least one argument');
          for (const w of ws) {
            const eq = w.indexOf('=');
            const name = eq >= 0 ? w.slice(0, eq) : w;
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(ins, `invalid ARG name "${name}"`);
            const def = eq >= 0 ? w.slice(eq + 1) : undefined;
            const given = Object.prototype.hasOwnProperty.call(buildArgs, name) ? buildArgs[name] : undefined;
            if (given !== undefined) usedArgs.add(name);
            const value = given ?? def ?? (fromSeen ? metaArgs.get(name) : undefined);
            if (!fromSeen) { if (value !== undefined) metaArgs.set(name, value); }
            else if (value !== undefined) args.set(name, value);
            else args.delete(name);
          }
          if (fromSeen) record(ins, true);
          break;
        }
        case 'FROM': {
          const ws = (() => { try { return processWords(ins.args, metaArgs, df.escape); } catch (e) { return fail(ins, (e as Error).message); } })();
          if (ws.length !== 1 && !(ws.length === 3 && ws[1]!.toLowerCase() === 'as')) fail(ins, 'FROM takes an image and optionally "AS name"');
          if (fromSeen) stages.push({ ...(stageName !== undefined ? { name: stageName } : {}), hostRoot, layers, config, history });
          fromSeen = true;
          stageName = ws[2]?.toLowerCase();
          if (stageName !== undefined && (findStage(stageName) || /^\d+$/.test(stageName))) fail(ins, `stage name "${ws[2]}" is used twice or is a number`);
          args.clear(); shell = DEFAULT_SHELL; cmdSetHere = false; author = undefined;
          hostRoot = false; layers = []; config = {}; history = [];
          const ref = ws[0]!;
          if (ref === 'scratch') { say(' ---> scratch: an empty image'); break; }
          const stage = stages.find((st) => st.name !== undefined && st.name === ref.toLowerCase());
          if (stage) {
            say(` ---> stage ${ref}`);
            hostRoot = stage.hostRoot; layers = [...stage.layers]; config = structuredClone(stage.config); history = structuredClone(stage.history);
            break;
          }
          let img = (() => { try { return store.find(ref); } catch (e) { return fail(ins, (e as Error).message); } })();
          const base = hostBaseFor(ref);
          if (base && (!img || img.manifest.annotations?.[ANNOTATION_HOST_ROOT] === 'true')) {
            img = await ensureHostBaseImage(store, ref);
          } else if (!img) {
            fail(ins, `FROM ${ref}: ${imageNotPresentMessage(ref)}`);
          }
          if (img!.manifest.annotations?.[ANNOTATION_HOST_ROOT] === 'true' && base) say(` ---> ${ref} → ${describeHostBase(base)}`);
          else if (img!.manifest.annotations?.[ANNOTATION_HOST_ROOT] === 'true') say(` ---> ${ref} (from the store; stands on the host root filesystem)`);
          else say(` ---> ${ref} (from the store, ${img!.configDigest.slice(7, 19)})`);
          hostRoot = img!.manifest.annotations?.[ANNOTATION_HOST_ROOT] === 'true';
          const diffIds = img!.config.rootfs?.diff_ids ?? [];
          layers = [];
          for (let i = 0; i < diffIds.length; i++) {
            const desc = img!.manifest.layers[i]!;
            layers.push({ diffId: diffIds[i]!, desc: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }, dir: await store.layerDir(diffIds[i]!, desc.digest) });
          }
          config = structuredClone(img!.config.config ?? {});
          history = structuredClone(img!.config.history ?? []);
          break;
        }
        case 'ENV':
        case 'LABEL': {
          const pairs: [string, string][] = [];
          const ws = words(ins, ins.args);
          if (ws.length === 0) fail(ins, `${ins.keyword} requires at least one argument`);
          if (!ws[0]!.includes('=')) {
            // Legacy "ENV key value": the rest of the line is the value.
            const m = /^\s*\S+\s+([\s\S]*)$/.exec(ins.args);
            if (!m) fail(ins, `${ins.keyword} ${ws[0]} needs a value (${ins.keyword} ${ws[0]}=value)`);
            pairs.push([ws[0]!, word(ins, m![1]!)]);
          } else {
            for (const w of ws) {
              const eq = w.indexOf('=');
              if (eq <= 0) fail(ins, `${ins.keyword} names must be followed by "=" and a value: "${w}"`);
              pairs.push([w.slice(0, eq), w.slice(eq + 1)]);
            }
          }
          for (const [k, v] of pairs) {
            if (ins.keyword === 'ENV') config.Env = setEnv(config.Env, k, v);
            else config.Labels = { ...(config.Labels ?? {}), [k]: v };
          }
          record(ins, true);
          break;
        }
        case 'WORKDIR': {
          const p = word(ins, ins.args).trim();
          if (!p) fail(ins, 'WORKDIR requires a path');
          const abs = posix.resolve(config.WorkingDir || '/', p);
          config.WorkingDir = abs;
          const dir = stepDir(ins, 'layer');
          if (!statInImage(layerDirs(), abs)?.st.isDirectory()) {
            try { makeDirInLayer({ layers: layerDirs(), layerDir: dir }, abs); } catch (e) { fail(ins, (e as Error).message); }
          }
          await commit(ins, dir);
          break;
        }
        case 'USER': {
          const u = word(ins, ins.args).trim();
          if (!u) fail(ins, 'USER requires a user name or uid');
          config.User = u;
          record(ins, true);
          break;
        }
        case 'EXPOSE': {
          const ports = words(ins, ins.args);
          if (ports.length === 0) fail(ins, 'EXPOSE requires at least one port');
          for (const p of ports) {
            const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
            if (!m) fail(ins, `invalid port "${p}": expected PORT[/tcp|udp|sctp]`);
            config.ExposedPorts = { ...(config.ExposedPorts ?? {}), [`${m![1]}${m![2] ? '-' + m![2] : ''}/${(m![3] ?? 'tcp').toLowerCase()}`]: {} };
          }
          record(ins, true);
          break;
        }
        case 'CMD':
        case 'ENTRYPOINT': {
          const argv = ins.json ?? (ins.args ? [...shell, ins.args] : []);
          if (ins.keyword === 'CMD') { config.Cmd = argv; cmdSetHere = true; } else {
            config.Entrypoint = argv;
            if (!cmdSetHere) config.Cmd = null; // an ENTRYPOINT resets the CMD inherited from the base, as docker does
          }
          record(ins, true);
          break;
        }
        case 'SHELL': {
          if (!ins.json || ins.json.length === 0) fail(ins, 'SHELL requires the JSON form: SHELL ["executable", "parameters"]');
          shell = ins.json!;
          config.Shell = shell;
          record(ins, true);
          break;
        }
        case 'VOLUME': {
          const vols = ins.json ?? words(ins, ins.args);
          for (const v of vols) config.Volumes = { ...(config.Volumes ?? {}), [v]: {} };
          record(ins, true);
          break;
        }
        case 'STOPSIGNAL': config.StopSignal = word(ins, ins.args).trim(); record(ins, true); break;
        case 'MAINTAINER': author = word(ins, ins.args).trim(); record(ins, true); break;
        case 'COPY':
        case 'ADD': {
          for (const f of Object.keys(ins.flags)) {
            if (!['chown', 'chmod', 'link', ...(ins.keyword === 'COPY' ? ['from'] : [])].includes(f)) fail(ins, `${ins.keyword} --${f} is not supported by nanokube image build`);
          }
          let source: SourceFs = new DirFs(context);
          if (ins.flags.from) {
            const from = word(ins, ins.flags.from);
            const stage = findStage(from);
            let dirs: string[];
            if (stage) dirs = [...(stage.hostRoot ? ['/'] : []), ...stage.layers.map((l) => l.dir)];
            else {
              let img = (() => { try { return store.find(from); } catch (e) { return fail(ins, (e as Error).message); } })();
              if (!img && hostBaseFor(from)) img = await ensureHostBaseImage(store, from);
              if (!img) fail(ins, `COPY --from=${from}: no build stage by that name, and ${imageNotPresentMessage(from)}`);
              dirs = (await store.toResolved(img!)).layers;
            }
            source = new ImageFs(dirs, stage ? `stage ${from}` : `image ${from}`);
          }
          const parts = ins.json ? ins.json.map((s) => word(ins, s)) : words(ins, ins.args);
          if (parts.length < 2) fail(ins, `${ins.keyword} requires at least two arguments: SOURCE... DEST`);
          const rawDest = parts[parts.length - 1]!;
          const dest = posix.resolve(config.WorkingDir || '/', rawDest);
          let chown: { uid: number; gid: number } | undefined;
          if (ins.flags.chown) { try { chown = resolveUser(layerDirs(), word(ins, ins.flags.chown)); } catch (e) { fail(ins, `--chown: ${(e as Error).message}`); } }
          let chmod: number | undefined;
          if (ins.flags.chmod) { if (!/^[0-7]{3,4}$/.test(ins.flags.chmod)) fail(ins, `--chmod takes octal permissions such as 755, not "${ins.flags.chmod}"`); chmod = parseInt(ins.flags.chmod, 8); }
          const dir = stepDir(ins, 'layer');
          try {
            await copyIntoLayer({
              source, ignore: ins.flags.from ? null : ignore, sources: parts.slice(0, -1), dest, destIsDir: rawDest.endsWith('/') || rawDest === '.' || rawDest.endsWith('/.'),
              layers: layerDirs(), layerDir: dir, add: ins.keyword === 'ADD', ...(chown ? { chown } : {}), ...(chmod !== undefined ? { chmod } : {}),
            });
          } catch (e) {
            if (e instanceof CopyError || (e as NodeJS.ErrnoException).code) fail(ins, `${ins.keyword} failed: ${(e as Error).message}`);
            throw e;
          }
          await commit(ins, dir);
          break;
        }
        case 'RUN': {
          for (const [f, v] of Object.entries(ins.flags)) {
            if (f === 'network' && ['default', 'host', 'none'].includes(v)) continue;
            fail(ins, `RUN --${f} is not supported by nanokube image build`);
          }
          if (!ins.json && !ins.args) fail(ins, 'RUN requires a command');
          if (/<<-?\s*["']?\w+/.test(ins.args) && !ins.json) {
            const m = /^<<-?\s*["']?\w+/.exec(ins.args.trim());
            if (m) fail(ins, 'RUN with a here-document is not supported by nanokube image build');
          }
          const argv = ins.json ?? [...shell, ins.args];
          if (argv.length === 0) fail(ins, 'RUN requires a command');
          // What RUN sees: the image's ENV over the build's ARGs (ARG values are not kept in the image).
          const env = new Map<string, string>();
          for (const [k, v] of args) env.set(k, v);
          for (const k of PREDEFINED_ARGS) if (buildArgs[k] !== undefined) { env.set(k, buildArgs[k]!); usedArgs.add(k); }
          for (const [k, v] of envMap(config.Env)) env.set(k, v);
          if (!env.has('PATH')) env.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
          if (!env.has('HOME')) env.set('HOME', '/root');
          let user: { uid: number; gid: number } | undefined;
          if (config.User) { try { user = resolveUser(layerDirs(), config.User); } catch (e) { fail(ins, (e as Error).message); } }
          if (process.getuid?.() !== 0) fail(ins, new RunNeedsRootError().message);
          const upper = stepDir(ins, 'upper');
          const runId = Math.random().toString(16).slice(2, 14).padEnd(12, '0');
          say(` ---> Running in ${runId}`);
          const code = await runInImage({
            layers: layerDirs().length ? layerDirs() : [stepDir(ins, 'empty')], upper, work: stepDir(ins, 'work'), mountpoint: stepDir(ins, 'rootfs'),
            argv, env: [...env].map(([k, v]) => `${k}=${v}`), workingDir: config.WorkingDir || '/',
            ...(user ? { user } : {}), stdout: o.out, stderr: o.out,
          }).catch((e: Error) => fail(ins, e.message));
          if (code !== 0) fail(ins, `RUN failed: the command '${argv.join(' ')}' returned a non-zero code: ${code}`);
          await commit(ins, upper);
          rmSync(join(work, `step-${ins.line}`), { recursive: true, force: true });
          break;
        }
        case 'HEALTHCHECK':
        case 'ONBUILD':
          fail(ins, `${ins.keyword} is not supported by nanokube image build`);
          break;
        default:
          fail(ins, `unknown instruction: ${ins.keyword}`);
      }
    }
    const unused = Object.keys(buildArgs).filter((k) => !usedArgs.has(k) && !metaArgs.has(k));
    if (unused.length) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);

    const imageConfig: OciImageConfig = {
      created: new Date().toISOString(), ...(author ? { author } : {}), architecture: hostArchitecture(), os: 'linux',
      config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, history,
    };
    const configDesc = store.putJSON(imageConfig, MEDIA_TYPE_CONFIG);
    const manifest: OciManifest = {
      schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, config: configDesc, layers: layers.map((l) => l.desc),
      ...(hostRoot ? { annotations: { [ANNOTATION_HOST_ROOT]: 'true' } } : {}),
    };
    store.tag(manifest, names);
    // Layers only earlier stages used are not part of any image: drop them (unless another image shares them).
    const kept = new Set(layers.map((l) => l.diffId));
    store.dropUnusedLayers(stages.flatMap((st) => st.layers).filter((l) => !kept.has(l.diffId)).map((l) => ({ diffId: l.diffId, digest: l.desc.digest })));
    say(`Successfully built ${configDesc.digest.slice(7, 19)}`);
    for (const n of names) say(`Successfully tagged ${familiarName(n)}`);
    built = true;
    return { id: configDesc.digest, names };
  } finally {
    if (!built) { try { store.dropUnusedLayers(produced); } catch { /* best effort; the build's own error matters */ } }
    rmSync(work, { recursive: true, force: true });
  }
}
