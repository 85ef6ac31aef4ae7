// The host side of the built-in local-path provisioner: one directory per volume under a root
// (NANOKUBE_HOME/storage), made world-writable as k3s's local-path-provisioner makes its directories, so a pod
// running as any user can write. The provisioner reaches the filesystem only through this seam: nanokube's
// controller manager runs on the server host, which is also the all-in-one node (as minikube's storage-provisioner
// runs on its one node); a volume scheduled onto another host's node gets its directory from that kubelet's
// hostPath DirectoryOrCreate instead.
import { mkdir, rm, chmod } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export interface VolumeDirectories {
  /** The absolute directory of a volume (a PV's hostPath.path). */
  pathFor(volumeName: string): string;
  create(volumeName: string): Promise<void>;
  /** Removes the directory and everything in it; a missing one is fine. */
  remove(path: string): Promise<void>;
}

export function localPathDirectories(root: string): VolumeDirectories {
  const base = resolve(root);
  const pathFor = (name: string) => join(base, name);
  return {
    pathFor,
    async create(name) {
      await mkdir(pathFor(name), { recursive: true, mode: 0o777 });
      await chmod(pathFor(name), 0o777);
    },
    async remove(path) {
      // Only ever below the root: a PV edited to point elsewhere is not ours to delete.
      const p = resolve(path);
      if (!p.startsWith(base + sep)) return;
      await rm(p, { recursive: true, force: true });
    },
  };
}
