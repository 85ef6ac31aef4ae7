// Container logs as the kubelet reads them: CRI format lines, long lines split into P pieces, unfinished lines
// kept until their end, and rotation bounding the files kept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { CriLogWriter } from './cri-log.js';

test('CRI log writer', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nk-crilog-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));

  await t.test('lines of each stream are tagged and timestamped; a line split over writes is one entry', () => {
    const file = path.join(dir, 'a', '0.log');
    const w = new CriLogWriter(file);
    w.write('stdout', Buffer.from('hel'));
    w.write('stderr', Buffer.from('warn\n'));
    w.write('stdout', Buffer.from('lo\nsecond\r\nlast'));
    w.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), ['stderr F warn', 'stdout F hello', 'stdout F second', 'stdout F last']);
    const stamps = lines.map((l) => l.split(' ')[0]!);
    for (const s of stamps) assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.deepEqual([...stamps].sort(), stamps, 'timestamps increase');
  });

  await t.test('a line longer than 16 KiB is written as P pieces ending with an F entry', () => {
    const file = path.join(dir, 'b', '0.log');
    const w = new CriLogWriter(file);
    w.write('stdout', Buffer.from('x'.repeat(40 * 1024) + '\n'));
    w.close();
    const tags = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ')[2]);
    assert.deepEqual(tags, ['P', 'P', 'F']);
  });

  await t.test('the log rotates past its size bound and keeps at most maxFiles files', () => {
    const file = path.join(dir, 'c', '0.log');
    const w = new CriLogWriter(file, { maxSize: 1000, maxFiles: 3 });
    for (let i = 0; i < 200; i++) w.write('stdout', Buffer.from(`line ${i} ${'y'.repeat(40)}\n`));
    w.close();
    const files = fs.readdirSync(path.dirname(file));
    assert.equal(files.length, 3);
    assert.ok(files.includes('0.log'));
    for (const f of files) assert.ok(fs.statSync(path.join(path.dirname(file), f)).size <= 1000);
    assert.match(fs.readFileSync(file, 'utf8'), /line 199 /);
  });
});
