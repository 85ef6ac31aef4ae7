#!/usr/bin/env node
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('nanokube: the build is missing; run `npm ci` (or `npm run build`) in the nanokube folder first');
    process.exit(1);
  }
  throw err;
});
