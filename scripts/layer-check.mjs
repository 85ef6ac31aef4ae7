// Layer check (DESIGN.md §1): only src/apiserver (and src/storage itself, and wiring in src/cmd) may import src/storage;
// components never import each other's insides (only their index.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = resolve('src');
const allowedStorageImporters = ['apiserver', 'storage', 'cmd'];
const components = ['scheduler', 'controllers', 'kubelet', 'proxy', 'dns', 'dashboard'];
function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
const problems = [];
for (const file of walk(root)) {
  const top = relative(root, file).split('/')[0];
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/from\s+['"](\.[^'"]+)['"]/g)) {
    const target = relative(root, resolve(dirname(file), m[1]));
    const targetTop = target.split('/')[0];
    if (targetTop === 'storage' && !allowedStorageImporters.includes(top) && !file.endsWith('.test.ts')) {
      problems.push(`${relative('.', file)} imports storage (${m[1]}); only the apiserver may touch storage`);
    }
    if (components.includes(targetTop) && top !== targetTop && top !== 'cmd' && top !== 'cli') {
      problems.push(`${relative('.', file)} imports another component's insides (${m[1]})`);
    }
  }
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
console.log('layer check: ok');
