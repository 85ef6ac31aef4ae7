// Runs every compiled test file (unit tests beside the code, black-box tests in test/) and the tests of these
// scripts (scripts/*.test.mjs, e.g. the layer check's own) with node's test runner.
// --test-force-exit: a test file whose tests have all finished exits even if something it started still holds the
// event loop (a leaked socket), so a leak shows as a failing or finished test, never as a run that hangs for ever.
// Usage: node scripts/test.mjs [substring filter...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) find(p, out);
    else if (e.endsWith('.test.js')) out.push(p);
  }
  return out;
}
// A native addon built for another Node.js fails here in one line, not as dozens of failing tests.
const native = spawnSync(process.execPath, ['scripts/check-native.mjs'], { stdio: 'inherit' });
if (native.status !== 0) process.exit(1);
const filters = process.argv.slice(2);
const scripts = readdirSync('scripts').filter((f) => f.endsWith('.test.mjs')).map((f) => join('scripts', f));
const files = [...find('dist/src'), ...find('dist/test'), ...scripts].sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) { console.error('no test files found (did the build run?)'); process.exit(1); }
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-force-exit', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
