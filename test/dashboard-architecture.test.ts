// The dashboard's live architecture view in a real browser: a learner runs the seed's `kubectl scale` and sees it
// flow from kubectl through the API server and the store to the controllers, the scheduler and the kubelets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, examplePath } from './helpers/cluster.js';
import { join } from 'node:path';
import { artifactsDir, chromiumPath, gotoPage, launchChromium } from './helpers/browser.js';

const chromium = chromiumPath();

test('the architecture view animates kubectl scale as it travels through the cluster', { skip: chromium ? false : 'skipped: chromium not found' }, async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 2, dashboard: true });
  const applied = await c.kubectl(['apply', '-f', examplePath('flask-deployment.yaml')]);
  assert.equal(applied.code, 0, applied.stderr);
  const dashboard = c.plane.dashboard!;
  const browser = await launchChromium(chromium!);
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const code = await dashboard.createLoginCode({ kind: 'certificate', cert: c.pki.cert, key: c.pki.key });
  await gotoPage(page, `${dashboard.url}/auth/code?code=${code}`);
  await gotoPage(page, `${dashboard.url}/architecture`);
  await page.locator('[data-testid=flow-state]', { hasText: 'live' }).waitFor();
  // Counts the dots the page starts on the diagram (each leaves again once it arrived).
  await page.evaluate(() => {
    const w = window as unknown as { dotsStarted: number };
    w.dotsStarted = 0;
    new MutationObserver((records) => { for (const r of records) w.dotsStarted += r.addedNodes.length; })
      .observe(document.querySelector('svg g.dots')!, { childList: true });
  });

  const scaled = await c.kubectl(['scale', 'deployment/flask-app', '--replicas=4']);
  assert.equal(scaled.code, 0, scaled.stderr);
  const log = page.locator('[data-testid=flow-log]');
  // Each step of the chain shows in the log, named by who did it.
  await log.locator('li[data-from=kubectl][data-resource=deployments]', { hasText: 'scale' }).first().waitFor();
  await log.locator('li[data-kind=write][data-resource=deployments]').first().waitFor();
  await log.locator('li[data-from=deployment-controller][data-resource=replicasets]').first().waitFor();
  await log.locator('li[data-from=replicaset-controller][data-resource=pods]', { hasText: 'create pods' }).first().waitFor();
  await log.locator('li[data-from=scheduler]', { hasText: 'pods/binding' }).first().waitFor();
  await log.locator('li[data-from=kubelet]', { hasText: 'pods/status' }).first().waitFor();
  await page.screenshot({ path: join(artifactsDir('architecture'), 'scale.png') });
  // Dots moved along the diagram's edges while it happened.
  const dots = await page.evaluate(() => (window as unknown as { dotsStarted: number }).dotsStarted);
  assert.ok(dots >= 6, `${dots} dots were animated`);
  const drawn = Number(await page.locator('[data-testid=flow-drawn]').getAttribute('data-count'));
  assert.ok(drawn >= 6, `the rollout drew ${drawn} flow events`);

  // Paused, the log stands still while the cluster goes on.
  await page.getByTestId('flow-pause').click();
  const before = await log.locator('li').first().textContent();
  const down = await c.kubectl(['scale', 'deployment/flask-app', '--replicas=1']);
  assert.equal(down.code, 0, down.stderr);
  await page.getByText(/missed while paused/).waitFor();
  assert.equal(await log.locator('li').first().textContent(), before);
  assert.deepEqual(errors, [], 'no script errors on the page');
});
