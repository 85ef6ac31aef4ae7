// The layer check catches each rule's violation and passes a clean tree. Each case writes a small fixture tree
// to a temporary folder, runs scripts/layer-check.mjs on it as `npm run lint` does, and removes the folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'layer-check.mjs');

/** Runs the layer check on a tree of `files` (path → source) and returns its exit status and output. */
function check(t, files) {
  const root = mkdtempSync(join(tmpdir(), 'nanokube-layer-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  const r = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

// A tree that keeps every rule; each violating case adds one file to it.
const clean = {
  'src/api/errors.ts': "export class StatusError extends Error {}\n",
  'src/api/labels.ts': "import { StatusError } from './errors.js';\nexport const e = StatusError;\n",
  'src/storage/index.ts': "import type { StatusError } from '../api/errors.js';\nexport const openStore = 1;\n",
  'src/storage/backend.ts': "export interface Store {}\n",
  'src/storage/index.test.ts': "import { openStore } from './index.js';\nimport type { Store } from './backend.js';\n",
  'src/apiserver/index.ts': "import { openStore } from '../storage/index.js';\nexport const createServer = openStore;\n",
  'src/client/client.ts': "import { StatusError } from '../api/errors.js';\nexport class Client {}\n",
  'src/images/index.ts': "export * from './store.js';\n",
  'src/images/store.ts': "export class ImageStore {}\n",
  'src/kubelet/index.ts': "export { startKubelet } from './kubelet.js';\n",
  'src/kubelet/kubelet.ts': [
    "import { Client } from '../client/client.js';",
    "import { ImageStore } from '../images/index.js';",
    "import type { StatusError } from '../api/errors.js';",
    "// import { openStore } from '../storage/index.js'; (a comment is not an import)",
    "const text = \"from '../scheduler/queue.js'\";",
    'export function startKubelet() {}',
  ].join('\n'),
  'src/scheduler/index.ts': "export * from './scheduler.js';\n",
  'src/scheduler/scheduler.ts': "export const startScheduler = 1;\n",
  'src/cmd/server.ts': [
    "import { openStore } from '../storage/index.js';",
    "import { startKubelet } from '../kubelet/index.js';",
    "const { startScheduler } = await import('../scheduler/index.js');",
  ].join('\n'),
  'src/cli/commands/node.ts': "import { startKubelet } from '../../kubelet/index.js';\n",
  'test/cluster.test.ts': "import { createServer } from '../src/apiserver/index.js';\nimport { Client } from '../src/client/client.js';\n",
};

test('a tree that keeps every layer rule passes the check', (t) => {
  const r = check(t, clean);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /layer check: ok/);
});

const violations = [
  { rule: 'storage', why: 'a component imports storage', path: 'src/scheduler/cache.ts', source: "import { openStore } from '../storage/index.js';\n" },
  { rule: 'storage', why: 'the client imports storage with a dynamic import()', path: 'src/client/local.ts', source: "export const load = () => import('../storage/backend.js');\n" },
  { rule: 'storage', why: 'a unit test imports storage from a folder that may not', path: 'src/client/client.test.ts', source: "import '../storage/index.js';\n" },
  { rule: 'storage', why: 'a black-box test imports storage', path: 'test/store.test.ts', source: "import type { Store } from '../src/storage/backend.js';\n" },
  { rule: 'component', why: 'a component imports another component\'s insides', path: 'src/kubelet/sched.ts', source: "import { startScheduler } from '../scheduler/scheduler.js';\n" },
  { rule: 'component', why: 'the CLI reaches into a component', path: 'src/cli/commands/images.ts', source: "export { ImageStore } from '../../images/store.js';\n" },
  { rule: 'component', why: 'the wiring reaches into a component with import()', path: 'src/cmd/components.ts', source: "const m = await import('../kubelet/kubelet.js');\n" },
  { rule: 'client', why: 'the client imports the apiserver', path: 'src/client/in-process.ts', source: "import { createServer } from '../apiserver/index.js';\n" },
  { rule: 'api', why: 'src/api imports the client', path: 'src/api/helpers.ts', source: "import type { Client } from '../client/client.js';\n" },
  { rule: 'storage-up', why: 'storage imports the apiserver', path: 'src/storage/watch.ts', source: "import { createServer } from '../apiserver/index.js';\n" },
];

for (const v of violations) {
  test(`the check fails when ${v.why} (rule "${v.rule}")`, (t) => {
    const r = check(t, { ...clean, [v.path]: v.source });
    assert.equal(r.status, 1, r.output);
    assert.ok(r.output.includes(`${v.path}: ${v.rule}:`), r.output);
    assert.equal(r.output.trim().split('\n').length, 1, `exactly one problem expected:\n${r.output}`);
  });
}
