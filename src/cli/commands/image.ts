// `nanokube image build|load|ls|rm|inspect`, named as minikube's `image` commands. The store is files under
// $NANOKUBE_HOME/images (like minikube's cache), so these work whether or not the cluster is running; a running
// kubelet sees a new image at its next pull.
import { resolveHome } from '../home.js';
import { CliError } from '../errors.js';

async function openStore() {
  const images = await import('../../images/index.js');
  return { images, store: new images.ImageStore({ home: resolveHome() }) };
}

/** Known failures become one line naming the subcommand; anything else is a bug and keeps its own message. */
function asCliError(command: string, e: unknown, images: typeof import('../../images/index.js')): unknown {
  if (e instanceof CliError) return e;
  if (e instanceof images.BuildError || e instanceof images.LoadError || e instanceof images.ImageNotFoundError || e instanceof images.ImageInUseError
    || e instanceof images.InvalidReferenceError || e instanceof images.RunNeedsRootError) {
    return new CliError(e.message, { command });
  }
  if (e instanceof Error && (e as NodeJS.ErrnoException).code) return new CliError(e.message, { command });
  return e;
}

export interface BuildFlags { tag?: string[]; file?: string; buildArg?: string[] }

export async function imageBuild(dir: string | undefined, flags: BuildFlags): Promise<void> {
  const command = 'image build';
  if (!dir) throw new CliError('name the build context folder: nanokube image build -t NAME[:TAG] DIR', { command });
  if (!flags.tag || flags.tag.length === 0) throw new CliError('name the image with -t NAME[:TAG]', { command });
  const buildArgs: Record<string, string> = {};
  for (const a of flags.buildArg ?? []) {
    const eq = a.indexOf('=');
    if (eq === 0) throw new CliError(`--build-arg "${a}" must be KEY=VALUE`, { command });
    // As docker: `--build-arg KEY` takes the value from this process's environment.
    if (eq < 0) { const v = process.env[a]; if (v !== undefined) buildArgs[a] = v; } else buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
  }
  const { images, store } = await openStore();
  try {
    store.cleanTemp();
    await images.buildImage({ store, context: dir, ...(flags.file ? { dockerfile: flags.file } : {}), tags: flags.tag, buildArgs, out: process.stdout });
  } catch (e) { throw asCliError(command, e, images); }
}

export async function imageLoad(file: string): Promise<void> {
  const { images, store } = await openStore();
  try {
    store.cleanTemp();
    const r = await images.loadImageArchive(store, file);
    for (const img of r.images) {
      if (img.names.length === 0) process.stdout.write(`Loaded image ID: ${img.id}\n`);
      for (const n of img.names) process.stdout.write(`Loaded image: ${images.familiarName(n)}\n`);
    }
  } catch (e) { throw asCliError('image load', e, images); }
}

export async function imageSave(name: string, file: string): Promise<void> {
  const { images, store } = await openStore();
  try {
    if (!store.find(name)) throw new CliError(`no such image: ${name} (see \`nanokube image ls\`)`, { command: 'image save' });
    const r = await images.saveImageArchive(store, [name], file);
    for (const s of r.saved) {
      if (s.hostRoot) process.stderr.write(`nanokube image save: ${name} stands on the host root filesystem; ${file} holds only its own layers, which only a nanokube host can run\n`);
    }
    process.stdout.write(`Saved ${name} to ${file}\n`);
  } catch (e) { throw asCliError('image save', e, images); }
}

function humanSize(n: number): string {
  // As minikube's table (docker's units.HumanSize: decimal, 3 significant digits).
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n, i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

function splitName(name: string): { repo: string; tag: string } {
  const at = name.indexOf('@');
  if (at >= 0) return { repo: name.slice(0, at), tag: '<none>' };
  const c = name.lastIndexOf(':');
  return c > name.lastIndexOf('/') ? { repo: name.slice(0, c), tag: name.slice(c + 1) } : { repo: name, tag: 'latest' };
}

export async function imageList(flags: { format?: string }): Promise<void> {
  const format = flags.format ?? 'table';
  if (!['table', 'short', 'json'].includes(format)) throw new CliError(`unknown --format "${format}"; use table, short or json`, { command: 'image ls' });
  const { images, store } = await openStore();
  try {
    const all = store.images();
    const rows = all.flatMap((img) => (img.names.length ? img.names : ['<none>:<none>']).map((n) => ({ name: n, img })))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (format === 'short') {
      for (const r of rows) process.stdout.write(r.name + '\n');
      return;
    }
    if (format === 'json') {
      const out = all.map((img) => ({ id: img.configDigest.slice(7), repoDigests: [], repoTags: img.names, size: String(images.imageSize(img)) }));
      process.stdout.write(JSON.stringify(out) + '\n');
      return;
    }
    const table = [['Image', 'Tag', 'Image ID', 'Size'], ...rows.map(({ name, img }) => {
      const { repo, tag } = splitName(name);
      const host = img.manifest.annotations?.[images.ANNOTATION_HOST_ROOT] === 'true';
      return [repo, tag, img.configDigest.slice(7, 20), humanSize(images.imageSize(img)) + (host ? ' + host /' : '')];
    })];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)) + 2);
    const rule = '|' + widths.map((w) => '-'.repeat(w)).join('|') + '|';
    const line = (r: string[], center = false) => '|' + r.map((cell, c) => {
      const pad = widths[c]! - cell.length;
      if (!center) return ' ' + cell + ' '.repeat(pad - 1);
      const left = Math.floor(pad / 2);
      return ' '.repeat(left) + cell + ' '.repeat(pad - left);
    }).join('|') + '|';
    const out = [rule, line(table[0]!, true), rule, ...table.slice(1).map((r) => line(r)), rule];
    process.stdout.write(out.join('\n') + '\n');
  } catch (e) { throw asCliError('image ls', e, images); }
}

export async function imageRemove(names: string[]): Promise<void> {
  const { images, store } = await openStore();
  for (const n of names) {
    try {
      if (!store.find(n)) throw new CliError(`no such image: ${n} (see \`nanokube image ls\`)`, { command: 'image rm' });
      await store.remove(n);
      process.stdout.write(`Untagged: ${images.familiarName(n).replace(/^sha256:.*/, n)}\n`);
    } catch (e) { throw asCliError('image rm', e, images); }
  }
}

export async function imageInspect(name: string): Promise<void> {
  const { images, store } = await openStore();
  try {
    const img = store.find(name);
    if (!img) throw new CliError(`no such image: ${name} (see \`nanokube image ls\`)`, { command: 'image inspect' });
    const resolved = await store.toResolved(img);
    const host = img.manifest.annotations?.[images.ANNOTATION_HOST_ROOT] === 'true';
    const diffIds = img.config.rootfs?.diff_ids ?? [];
    const out = {
      id: resolved.id,
      repoTags: resolved.repoTags,
      repoDigests: resolved.repoDigests,
      created: img.config.created,
      architecture: img.config.architecture,
      os: img.config.os,
      size: resolved.size,
      config: img.config.config ?? {},
      layers: [
        ...(host ? [{ hostRoot: true, path: '/', note: 'the host root filesystem, read-only, as the lowest layer' }] : []),
        ...img.manifest.layers.map((l, i) => ({ digest: l.digest, diffId: diffIds[i], mediaType: l.mediaType, size: l.size, path: resolved.layers[i + (host ? 1 : 0)] })),
      ],
      history: img.config.history ?? [],
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } catch (e) { throw asCliError('image inspect', e, images); }
}
