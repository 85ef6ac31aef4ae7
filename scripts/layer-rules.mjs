// The layer rules of DESIGN.md §1–2 as a pure function, so scripts/layer-check.mjs can run them on the repository
// and scripts/layer-check.test.mjs on fixtures. An "import" is every module reference TypeScript itself sees:
// `import … from '…'`, `export … from '…'`, bare `import '…'`, `import type`, `import('…')` (dynamic, and in
// type positions) and `require('…')`; references inside comments and ordinary strings are not imports. Test files
// are checked like production files: a test may import only what its folder may.
//
// The rules (an "area" is the folder under src/, or test/ or bench/ for files outside src):
//   storage      only src/apiserver, src/storage itself, the wiring in src/cmd and the benchmarks in bench/ import
//                src/storage (a test elsewhere reaches storage through the apiserver or src/cmd).
//   component    a component (scheduler, controllers, kubelet, proxy, dns, ingress, dashboard, images, metrics) is entered only
//                through its index.ts: no file outside the component imports any other file of it.
//   client       src/client does not import src/apiserver (the client knows the API, not the server).
//   api          src/api imports nothing else in src (every other layer builds on it).
//   storage-up   src/storage does not import src/apiserver (storage sits below the server).
import ts from 'typescript';
import { dirname, join, normalize, relative, sep } from 'node:path';

export const components = ['scheduler', 'controllers', 'kubelet', 'proxy', 'dns', 'ingress', 'dashboard', 'images', 'metrics'];
// bench/ measures each layer on its own (store.bench.ts times the backends), as the wiring assembles them.
const storageImporters = ['apiserver', 'storage', 'cmd', 'bench'];

/** Module specifiers a TypeScript source refers to (static, dynamic, type-only, require). */
export function importsOf(source) {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Where a repository-relative path lives: { area, rest } with area the folder under src/, or 'test' / 'bench'. */
function locate(path) {
  const parts = path.split('/');
  if (parts[0] === 'src') return { area: parts.length > 2 ? parts[1] : '', rest: parts.slice(2).join('/') };
  return { area: parts[0], rest: parts.slice(1).join('/') };
}

/** A relative specifier resolved to a repository-relative path without its extension; undefined for packages. */
function resolveSpecifier(fromPath, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const p = normalize(join(dirname(fromPath), specifier)).split(sep).join('/');
  return p.replace(/\.(js|ts|mjs|mts)$/, '').replace(/\/$/, '');
}

/**
 * Checks the imports of `files` (repository-relative paths with forward slashes → source text) and returns one
 * message per broken rule, `path: rule: explanation (specifier)`. An empty list means the layers hold.
 */
export function checkImports(files) {
  const problems = [];
  for (const [path, source] of Object.entries(files)) {
    const from = locate(path);
    for (const specifier of importsOf(source)) {
      const target = resolveSpecifier(path, specifier);
      if (target === undefined || !target.startsWith('src/')) continue;
      const to = locate(target);
      const report = (rule, why) => problems.push(`${path}: ${rule}: ${why} (${specifier})`);
      if (to.area === from.area) continue;
      if (to.area === 'storage' && !storageImporters.includes(from.area)) {
        report('storage', 'only the apiserver (and the wiring in src/cmd, the benchmarks) may import src/storage');
      }
      if (components.includes(to.area) && to.rest !== 'index' && to.rest !== '') {
        report('component', `outside ${to.area}, import only src/${to.area}/index.ts, not its insides`);
      }
      if (from.area === 'client' && to.area === 'apiserver') {
        report('client', 'the client must not import the apiserver');
      }
      if (from.area === 'api') {
        report('api', 'src/api must not import anything else in src');
      }
      if (from.area === 'storage' && to.area === 'apiserver') {
        report('storage-up', 'storage must not import the apiserver');
      }
    }
  }
  return problems;
}

/** Repository-relative path for a file under `root`, with forward slashes. */
export function repoPath(root, file) {
  return relative(root, file).split(sep).join('/');
}
