// npm run bench: every benchmark in dist/bench, each in a process of its own (so one's memory does not show in
// the next one's RSS), each printing its figures beside a baseline measured in the same run.
//   npm run bench [-- name ...]   e.g. npm run bench -- api scheduler
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
const only = process.argv.slice(2);
const files = readdirSync('dist/bench').filter((f) => f.endsWith('.bench.js') && f !== 'store.bench.js')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
let failed = 0;
for (const f of files) {
  console.log(`== ${f}`);
  // The thread pool size bin/nanokube.js gives the server, so in-process clusters measure what users run.
  const env = { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' };
  const r = spawnSync(process.execPath, ['--expose-gc', join('dist/bench', f)], { stdio: 'inherit', env });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
