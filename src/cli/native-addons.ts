// Native addons (better-sqlite3) are compiled for one Node.js ABI. Run under another Node.js version they fail to
// load with a long NODE_MODULE_VERSION message deep inside the server, or as dozens of failing tests. This check
// loads each addon up front and turns that failure into one line saying what to do.
import { createRequire } from 'node:module';
import { CliError } from './errors.js';

const require = createRequire(import.meta.url);

/** Throws a CliError naming the fix when an addon cannot be loaded by this Node.js; returns quickly otherwise. */
export function assertNativeAddons(): void {
  try {
    const Database = require('better-sqlite3') as new (path: string) => { close(): void };
    // The binding is loaded on first use, not on require.
    new Database(':memory:').close();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const built = /NODE_MODULE_VERSION (\d+)/.exec(message)?.[1];
    if (built || /was compiled against a different Node\.js version|invalid ELF header|Could not locate the bindings file/.test(message)) {
      const detail = built ? ` (built for NODE_MODULE_VERSION ${built}, this Node.js ${process.version} needs ${process.versions.modules})` : '';
      throw new CliError(`better-sqlite3 was not built for this Node.js${detail}; run \`npm rebuild better-sqlite3\` in the nanokube folder`);
    }
    throw new CliError(`better-sqlite3 cannot be loaded: ${message.split('\n')[0]}; run \`npm rebuild better-sqlite3\` in the nanokube folder`);
  }
}
