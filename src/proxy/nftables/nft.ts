// Running nft: every change is one `nft -f -` batch, which the kernel applies as one transaction (all or nothing).
import { spawn, spawnSync } from 'node:child_process';

export class NftError extends Error {}

/** Applies a batch of nft commands atomically; rejects with nft's own message when the kernel refuses it. */
export function nftApply(batch: string, nft = 'nft'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(nft, ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new NftError(`nft: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new NftError(`nft -f failed (exit ${code}): ${Buffer.concat(err).toString().trim().split('\n').slice(0, 6).join(' | ')}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(batch);
  });
}

/** Why nftables cannot be used here, or undefined when it can (Linux, root, a working nft binary). */
export function nftUnavailableReason(nft = 'nft'): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  const r = spawnSync(nft, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'nft not found';
  return undefined;
}

/** Deletes a table if it exists (used on stop and before the first sync, after a crash). */
export async function nftDeleteTable(family: string, table: string, nft = 'nft'): Promise<void> {
  // `add` then `delete` in one batch: never fails for a missing table.
  await nftApply(`add table ${family} ${table}\ndelete table ${family} ${table}\n`, nft);
}
