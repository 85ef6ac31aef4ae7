#!/usr/bin/env node
// libuv's thread pool runs the file work of pod starts, the store's fdatasync and crypto: with its default of 4
// threads, a slow disk's fdatasync queues every pod's file work behind it. Set before the pool's first use.
process.env.UV_THREADPOOL_SIZE ??= '16';
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('nanokube: the build is missing; run `npm ci` (or `npm run build`) in the nanokube folder first');
    process.exit(1);
  }
  throw err;
});
