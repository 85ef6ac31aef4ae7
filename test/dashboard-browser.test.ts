// The dashboard in a real browser (headless Chromium): a user deploys the seed's app and watches its pods appear,
// scales it from the UI, and logs in with a token. Simulated nodes run the pods (no container runtime needed).
// Screenshots: test-artifacts/dashboard/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { examplePath, startTestCluster } from './helpers/cluster.js';
import { until } from './helpers/until.js';
import { artifactsDir, chromiumPath, gotoPage, launchChromium, loginWithCode } from './helpers/browser.js';

const chromium = chromiumPath();

test('a user deploys the seed\'s app, sees its pods appear live, scales it from the dashboard, and logs in with a token', { skip: chromium ? false : 'skipped: chromium not found' }, async (t) => {
  const c = await startTestCluster(t, { simulatedNodes: 1, dashboard: true });
  const dashboard = c.plane.dashboard!;
  const shots = artifactsDir('dashboard');
  const browser = await launchChromium(chromium!);
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // Logged in as `nanokube dashboard` does it: a one-time code in the URL.
  await loginWithCode(page, dashboard, { kind: 'certificate', cert: c.pki.cert, key: c.pki.key });
  await page.getByTestId('user').filter({ hasText: 'kubernetes-admin' }).waitFor();

  // The deployments page is open before the app exists; the app appears on it by itself (a watch, no reload).
  await page.locator('nav.sidebar').getByRole('link', { name: 'Deployments', exact: true }).click();
  await page.getByTestId('list-deployments').waitFor();
  const applied = await c.kubectl(['apply', ...['app-config.yaml', 'db-secret.yaml', 'flask-deployment.yaml', 'flask-service.yaml'].flatMap((f) => ['-f', examplePath(f)])]);
  assert.equal(applied.code, 0, applied.stderr);
  await page.getByRole('link', { name: 'flask-app' }).click();
  const pods = page.getByTestId('related-pods');
  await until('the two pods of flask-app on its page', async () => (await pods.getAttribute('data-count')) === '2');
  await until('both pods Running', async () => (await pods.getByText('Running').count()) === 2);
  await page.screenshot({ path: join(shots, '1-deployment.png'), fullPage: true });

  // Scale to 3 from the UI: a confirmation, then a third pod on the page.
  await page.getByTestId('action-scale').click();
  await page.getByLabel('Replicas').fill('3');
  await page.screenshot({ path: join(shots, '2-scale-dialog.png') });
  await page.getByTestId('confirm').click();
  await until('a third pod on the page', async () => (await pods.getAttribute('data-count')) === '3');
  const deployment = await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/flask-app');
  assert.equal(deployment.body.spec.replicas, 3);
  await page.screenshot({ path: join(shots, '3-scaled.png'), fullPage: true });

  // Its events, live: the Deployment controller's ScalingReplicaSet.
  await page.locator('nav.tabs').getByRole('link', { name: 'Events' }).click();
  await page.getByTestId('events').getByText('Scaled up replica set', { exact: false }).first().waitFor();

  // Editing the YAML while someone else changes the object: the save is refused as a conflict, shown on the page.
  await page.locator('nav.tabs').getByRole('link', { name: 'YAML' }).click();
  await page.getByTestId('yaml-text').filter({ hasText: 'kind: Deployment' }).waitFor();
  await page.getByTestId('yaml-edit').click();
  const edited = (await page.getByTestId('yaml-text').inputValue()).replace('replicas: 3', 'replicas: 4');
  await page.getByTestId('yaml-text').fill(edited);
  const annotated = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/flask-app', { contentType: 'application/merge-patch+json', body: { metadata: { annotations: { 'changed-by': 'someone-else' } } } });
  assert.equal(annotated.status, 200, annotated.text);
  await page.getByTestId('yaml-save').click();
  await page.getByTestId('yaml-message').filter({ hasText: 'Conflict' }).waitFor();
  await page.screenshot({ path: join(shots, '3b-yaml-conflict.png') });
  assert.equal((await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/flask-app')).body.spec.replicas, 3, 'the conflicting edit was not applied');

  // Restart (a new pod template, revision 2), then roll back to revision 1's template (revision 3), from the UI.
  await page.getByTestId('yaml-reload').click();
  await page.locator('nav.tabs').getByRole('link', { name: 'Overview' }).click();
  await page.getByTestId('action-restart').click();
  await page.getByTestId('confirm').click();
  const deploymentNow = async () => (await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/flask-app')).body;
  await until('revision 2 after the restart', async () => (await deploymentNow()).metadata.annotations?.['deployment.kubernetes.io/revision'] === '2');
  assert.ok((await deploymentNow()).spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], 'restart stamps the pod template');
  await page.getByTestId('action-rollback').click();
  await page.getByText('Back to revision 1').waitFor();
  await page.getByTestId('confirm').click();
  await until('revision 3, the template of revision 1', async () => {
    const d = await deploymentNow();
    return d.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' && !d.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
  });

  // A Service's page shows its pods; deleting it asks first.
  await gotoPage(page, `${dashboard.url}/services/default/flask-service`);
  await page.getByTestId('related-endpoints').waitFor();
  await page.getByTestId('action-delete').click();
  await page.getByTestId('confirm').click();
  await until('the Service gone', async () => (await c.request('GET', '/api/v1/namespaces/default/services/flask-service')).status === 404);

  // The pods list shows all three; the Secret's values stay masked until revealed.
  await page.locator('nav.sidebar').getByRole('link', { name: 'Pods', exact: true }).click();
  await until('three rows in the pods list', async () => (await page.getByTestId('list-pods').getAttribute('data-rows')) === '3');
  await gotoPage(page, `${dashboard.url}/secrets/default/db-secret`);
  const password = page.getByTestId('secret-password');
  await password.getByText('••••••••').waitFor();
  await password.getByRole('button', { name: 'Reveal' }).click();
  await password.getByText('password', { exact: true }).waitFor();
  await page.screenshot({ path: join(shots, '4-secret.png'), fullPage: true });

  // Creating from YAML (a server-side apply).
  await page.getByTestId('create').click();
  await page.getByTestId('create-text').fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made-in-dashboard\ndata:\n  greeting: hello\n');
  await page.getByTestId('create-apply').click();
  await page.getByTestId('create-results').getByText('ConfigMap default/made-in-dashboard applied').waitFor();
  assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps/made-in-dashboard')).body.data?.greeting, 'hello');

  // A different browser session logs in by pasting a ServiceAccount token.
  await c.request('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'viewer' } } });
  const token = (await c.request('POST', '/api/v1/namespaces/default/serviceaccounts/viewer/token', { body: { spec: {} } })).body.status.token as string;
  const other = await browser.newPage();
  await gotoPage(other, dashboard.url);
  await other.locator('textarea[name=token]').fill(token);
  await other.getByRole('button', { name: 'Log in' }).click();
  await other.getByTestId('user').filter({ hasText: 'system:serviceaccount:default:viewer' }).waitFor();
  await other.screenshot({ path: join(shots, '5-token-login.png') });

  assert.deepEqual(errors, [], 'no script errors on the page');
});
