import assert from 'node:assert/strict';
import test from 'node:test';
import { spawner } from './spawner.js';

test('the spawner runs a program to completion with its input, output and exit code', async () => {
  const r = await spawner.run('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'in' });
  assert.deepEqual(r, { code: 3, stdout: 'in', stderr: 'err\n' });
  assert.equal((await spawner.run('/nonexistent/program', [])).code, 127);
});

test('a piped program that exits at once still reports its output and exit to listeners attached after the await', async () => {
  for (let i = 0; i < 5; i++) {
    const child = await spawner.spawnPiped('sh', ['-c', 'echo out; echo err >&2; exit 7']);
    const out: string[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(`o:${b}`));
    child.stderr!.on('data', (b: Buffer) => out.push(`e:${b}`));
    const closed = new Promise((r) => child.stdout!.once('close', r));
    const exit = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, sig) => resolve([code, sig])));
    assert.deepEqual(exit, [7, null]);
    await closed;
    assert.deepEqual(out.sort(), ['e:err\n', 'o:out\n']);
  }
});

test('a started process answers once ready and reports its end when killed', async () => {
  const p = await spawner.start('sh', ['-c', 'echo ready; exec sleep 30']);
  assert.equal(p.done, false);
  process.kill(p.pid, 'SIGKILL');
  assert.equal(await p.exited, 137);
  assert.equal(p.done, true);
});
