// hostPath volume type checks, as upstream's hostPathTypeChecker (pkg/volume/hostpath/host_path.go): the
// ...OrCreate types create what is missing (a 0755 folder, or an empty 0644 file), the others must already be
// that kind of file. An unset or empty type checks nothing. The error texts are upstream's.
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import type { HostPathVolumeSource } from 'kubernetes-types/core/v1.js';

async function fileType(p: string) {
  try { return await stat(p); } catch { return undefined; }
}

export async function checkHostPath(source: HostPathVolumeSource): Promise<void> {
  const path = source.path;
  const type = source.type ?? '';
  let st = await fileType(path);
  switch (type) {
    case '': return;
    case 'DirectoryOrCreate':
      if (!st) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
    // falls through
    case 'Directory':
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!st) {
        // Upstream creates the file, not its folder.
        const fh = await open(path, 'a', 0o644).catch((e: NodeJS.ErrnoException) => { throw new Error(`hostPath type check failed: ${path}: ${e.code ?? e.message}`); });
        await fh.close();
        st = await fileType(path);
        return;
      }
    // falls through
    case 'File':
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}

/** Whether path exists at all (symlinks count, even dangling). */
export async function pathExists(p: string): Promise<boolean> {
  try { await lstat(p); return true; } catch { return false; }
}
