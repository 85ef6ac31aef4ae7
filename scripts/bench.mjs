// npm run bench: every benchmark in dist/bench, each printing its figures beside a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
const only = process.argv.slice(2);
const files = readdirSync('dist/bench').filter((f) => f.endsWith('.bench.js') && f !== 'store.bench.js')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
for (const f of files) {
  const mod = await import(pathToFileURL(resolve('dist/bench', f)).href);
  if (typeof mod.main === 'function') { console.log(`== ${f}`); await mod.main([]); }
}
