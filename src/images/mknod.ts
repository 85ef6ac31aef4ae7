// Overlayfs whiteouts are 0/0 character devices; Node.js cannot make device nodes, so coreutils' mknod does.
import { execFileSync } from 'node:child_process';

export function mknod(path: string): void {
  execFileSync('mknod', ['-m', '000', path, 'c', '0', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
}
