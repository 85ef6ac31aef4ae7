// fsGroup ownership of a pod's volumes, as upstream's volume.SetVolumeOwnership: every file and folder of the
// volume gets the group fsGroup, files g+rw (g+r for read-only volumes: configMap, secret, downwardAPI, projected),
// folders also g+x and setgid (so what the pod creates there keeps the group). fsGroupChangePolicy OnRootMismatch
// skips the walk when the volume's root already has the group and those bits. Only volumes upstream manages
// (emptyDir, the projections above, local PersistentVolumes; not hostPath) and only when the kubelet may chown
// (root).
import { chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

export const canChangeOwnership = (): boolean => process.platform === 'linux' && process.getuid?.() === 0;

export async function setVolumeOwnership(dir: string, fsGroup: number, readOnly: boolean, policy: string | undefined): Promise<void> {
  const mask = readOnly ? RO_MASK : RW_MASK;
  if (policy === 'OnRootMismatch') {
    const st = await stat(dir);
    const want = mask | EXEC_MASK | SETGID;
    if (st.gid === fsGroup && (st.mode & want) === want) return;
  }
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p);
    await lchown(p, -1, fsGroup);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      await chmod(p, (st.mode & 0o7777) | mask | EXEC_MASK | SETGID);
      for (const e of await readdir(p)) await walk(join(p, e));
    } else {
      await chmod(p, (st.mode & 0o7777) | mask);
    }
  };
  await walk(dir);
}
