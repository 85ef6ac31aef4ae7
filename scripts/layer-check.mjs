// Layer check (DESIGN.md §1–2), run by `npm run lint`. It reads every .ts file under src/, test/ and bench/ (tests
// included, no exemptions) and enforces, for every import TypeScript sees (static, `import type`, bare, dynamic
// `import('…')`, `require`):
//   - only src/apiserver, src/storage, the wiring in src/cmd and the benchmarks in bench/ import src/storage;
//   - nothing outside a component (scheduler, controllers, kubelet, proxy, dns, dashboard, images) imports its
//     insides: only its index.ts;
//   - src/client does not import src/apiserver;
//   - src/api imports nothing else in src;
//   - src/storage does not import src/apiserver.
// The rules themselves live in scripts/layer-rules.mjs (tested by scripts/layer-check.test.mjs).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkImports, repoPath } from './layer-rules.mjs';

const root = resolve(process.argv[2] ?? '.');
function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
const files = {};
for (const top of ['src', 'test', 'bench']) {
  for (const f of walk(join(root, top))) files[repoPath(root, f)] = readFileSync(f, 'utf8');
}
const problems = checkImports(files);
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
console.log(`layer check: ok (${Object.keys(files).length} files)`);
