import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from './event-queue.js';

async function drain<T>(q: EventQueue<T>): Promise<T[]> { const out: T[] = []; for await (const v of q) out.push(v); return out; }

const turn = () => new Promise((r) => setImmediate(r));

test('a consumer that falls more than capacity items behind is closed and its items dropped', async () => {
  let overflowed = 0;
  const q = new EventQueue<number>({ capacity: 3, onOverflow: () => overflowed++ });
  let released = false;
  q.onClose(() => { released = true; });
  for (let i = 0; i < 3; i++) q.push(i);
  await turn();
  assert.equal(q.size, 3);
  assert.equal(q.isClosed, false, 'at capacity is not behind');
  q.push(3);
  await turn();
  assert.equal(q.fellBehind, true);
  assert.equal(q.size, 0, 'nothing is held once closed');
  assert.equal(released, true, 'the producer is told to stop');
  for (let i = 0; i < 1000; i++) q.push(i);
  await turn();
  assert.equal(q.size, 0);
  assert.equal(overflowed, 1);
  assert.deepEqual(await drain(q), []);
});

test('a consumer that keeps up gets every item, and seeded items do not count against capacity', async () => {
  const q = new EventQueue<number>({ capacity: 2 });
  q.seed([0, 1, 2, 3, 4]);
  q.push(5); q.push(6);
  assert.equal(q.fellBehind, false);
  const it = q[Symbol.asyncIterator]();
  const got: number[] = [];
  for (let i = 0; i < 7; i++) got.push((await it.next()).value);
  for (let i = 7; i < 100; i++) { q.push(i); got.push((await it.next()).value); }
  q.end();
  assert.equal((await it.next()).done, true);
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i));
});

test('a burst larger than capacity does not close a consumer that reads it before its next turn', async () => {
  const q = new EventQueue<number>({ capacity: 10 });
  const got: number[] = [];
  const reading = (async () => { for await (const v of q) got.push(v); })();
  for (let i = 0; i < 100; i++) q.push(i); // one synchronous run, as a group commit publishes
  await turn();
  assert.equal(q.fellBehind, false);
  q.end();
  await reading;
  assert.equal(got.length, 100);
});

test('end() delivers what is queued first; abort closes at once', async () => {
  const q = new EventQueue<string>();
  q.push('a'); q.push('b'); q.end(); q.push('c');
  assert.deepEqual(await drain(q), ['a', 'b']);
  const ac = new AbortController();
  const r = new EventQueue<string>({ signal: ac.signal });
  const pending = drain(r);
  r.push('x');
  ac.abort();
  assert.deepEqual(await pending, ['x']);
});
