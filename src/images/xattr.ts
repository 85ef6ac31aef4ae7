// Extended attributes of overlayfs layer folders. Node.js has no xattr API, so this asks the host's python3 (present
// wherever images are built, as Debian's python3 is) in one batch per call. Only "trusted.overlay.opaque" matters:
// overlayfs marks a directory that was removed and made again in the upper layer as opaque, and an OCI layer says
// the same with a ".wh..wh..opq" entry.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const OPAQUE = 'trusted.overlay.opaque';
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'].find((p) => existsSync(p));

/** The subset of `dirs` that overlayfs marks opaque; empty (and no error) when python3 is missing. */
export function opaqueDirectories(dirs: string[]): Set<string> {
  if (dirs.length === 0 || !PYTHON) return new Set();
  const script = `import os,sys
for p in sys.stdin.read().split('\\0'):
    if not p: continue
    try:
        if os.getxattr(p, '${OPAQUE}', follow_symlinks=False) == b'y': sys.stdout.write(p + '\\0')
    except OSError: pass
`;
  const r = spawnSync(PYTHON, ['-c', script], { input: dirs.join('\0'), maxBuffer: 1 << 28 });
  if (r.status !== 0) return new Set();
  return new Set(r.stdout.toString('utf8').split('\0').filter(Boolean));
}

/** Marks directories opaque for overlayfs (needs root). Throws when it cannot. */
export function markOpaque(dirs: string[]): void {
  if (dirs.length === 0) return;
  if (!PYTHON) throw new Error('cannot mark opaque directories in an image layer: python3 not found');
  const script = `import os,sys
for p in sys.stdin.read().split('\\0'):
    if p: os.setxattr(p, '${OPAQUE}', b'y', follow_symlinks=False)
`;
  const r = spawnSync(PYTHON, ['-c', script], { input: dirs.join('\0') });
  if (r.status !== 0) throw new Error(`cannot mark opaque directories in an image layer: ${r.stderr.toString().trim().split('\n').pop()}`);
}
