// Runs right after install (npm's prepare, after the build) and before the tests: one line and exit 1 when a native
// addon was built for another Node.js version, instead of a NODE_MODULE_VERSION trace or dozens of failing tests.
const { assertNativeAddons } = await import('../dist/src/cli/native-addons.js');
try {
  assertNativeAddons();
} catch (err) {
  console.error(`nanokube: ${err.message}`);
  process.exit(1);
}
