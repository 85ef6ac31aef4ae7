// managedFields bookkeeping of ordinary writes (updateManagedFields), the per-write cost every create, update
// and status update pays. Run directly, after `npm run build` (it needs dist/schema/definitions.json):
//   node dist/bench/managed-fields.bench.js [ms-per-case] [--impl=/path/to/managed-fields.js]
// --impl measures another build of the module (e.g. a copy of the previous dist) beside this one, for
// before/after figures in the same run. The baseline line is structuredClone of the same Pod, for scale.
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { loadSchemaModel } from '../src/api/schema/index.js';
import { updateManagedFields, type UpdateManagedFieldsOptions, type ManagedFieldsEntry } from '../src/apiserver/patch/index.js';

type Obj = Record<string, any>;
type Update = (opts: UpdateManagedFieldsOptions) => ManagedFieldsEntry[];

const T0 = new Date('2024-05-01T10:00:00Z');
const T1 = new Date('2024-05-01T10:00:07Z');
const T2 = new Date('2024-05-01T10:01:00Z');

/** A Pod as the ReplicaSet controller creates it, after defaulting. */
function pod(): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'web-6d4cf56db6-x7k2p', generateName: 'web-6d4cf56db6-', namespace: 'default', uid: '0b7c4b7e-1a4c-4a53-9c1a-3f1f3b9f1e11',
      resourceVersion: '1042', creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '6d4cf56db6', tier: 'frontend' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T09:59:00Z' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d4cf56db6', uid: 'c2b1d3a4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{
        name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent',
        ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443, protocol: 'TCP', name: 'https' }],
        env: [{ name: 'MODE', value: 'prod' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        volumeMounts: [{ name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
        readinessProbe: { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      }, {
        name: 'sidecar', image: 'busybox:1.36', command: ['sh', '-c', 'sleep infinity'], imagePullPolicy: 'IfNotPresent',
        resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      }],
      volumes: [{ name: 'kube-api-access-abcde', projected: { defaultMode: 420, sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      ] } }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default',
      serviceAccount: 'default', securityContext: {}, schedulerName: 'default-scheduler', enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority', priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** The kubelet's status after the Pod started. */
function runningStatus(): Obj {
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:05Z' });
  const cs = (name: string, image: string) => ({
    name, image, imageID: `docker.io/library/${image}@sha256:0123`, containerID: `containerd://${name}0123`, ready: true,
    restartCount: 0, started: true, state: { running: { startedAt: '2024-05-01T10:00:04Z' } }, lastState: {},
  });
  return {
    phase: 'Running', qosClass: 'Burstable', hostIP: '10.0.0.5', hostIPs: [{ ip: '10.0.0.5' }], podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }],
    startTime: '2024-05-01T10:00:03Z',
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    containerStatuses: [cs('web', 'nginx:1.25'), cs('sidecar', 'busybox:1.36')],
  };
}

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd1', resourceVersion: '900', generation: 1, creationTimestamp: '2024-05-01T09:59:00Z',
      labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web', tier: 'frontend' } }, spec: {
        containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {},
          terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
        restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler',
      } },
    },
    status: {},
  };
}

function configMap(): Obj {
  const data: Record<string, string> = {};
  for (let i = 0; i < 12; i++) data[`key-${i}`] = `value ${i} `.repeat(8);
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', uid: 'c1', resourceVersion: '77',
    creationTimestamp: '2024-05-01T09:00:00Z', labels: { app: 'web' } }, data };
}

interface Case { name: string; opts: () => UpdateManagedFieldsOptions }

/** Stored objects round-trip through JSON: old and updated share no references, as in the apiserver. */
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function cases(update: Update): Case[] {
  const model = loadSchemaModel();
  const podSchema = model.forKind('', 'v1', 'Pod');
  const depSchema = model.forKind('apps', 'v1', 'Deployment');
  const cmSchema = model.forKind('', 'v1', 'ConfigMap');
  const base = { model, now: T0, operation: 'Update' as const };

  // A Pod created by the controller manager, then bound and started by the kubelet (status subresource).
  const created = pod();
  created.metadata.managedFields = update({ ...base, old: undefined, updated: json(created), manager: 'kube-controller-manager', apiVersion: 'v1',
    schema: podSchema, ignoredPaths: [['f:status']] });
  const started = json(created);
  started.spec.nodeName = 'node-1';
  started.status = runningStatus();
  started.metadata.managedFields = update({ ...base, now: T1, old: json(created), updated: json(started), manager: 'kubelet', apiVersion: 'v1',
    schema: podSchema, subresource: 'status', ignoredPaths: [['f:spec']] });
  const relabelled = json(started);
  relabelled.metadata.labels.release = 'canary';

  const dep = deployment();
  dep.metadata.managedFields = update({ ...base, old: undefined, updated: json(dep), manager: 'kubectl-create', apiVersion: 'apps/v1',
    schema: depSchema, ignoredPaths: [['f:status']] });
  const depStatus = json(dep);
  depStatus.status = { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [
    { type: 'Available', status: 'True', lastUpdateTime: '2024-05-01T10:00:09Z', lastTransitionTime: '2024-05-01T10:00:09Z', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
    { type: 'Progressing', status: 'True', lastUpdateTime: '2024-05-01T10:00:09Z', lastTransitionTime: '2024-05-01T09:59:00Z', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-6d4cf56db6" has successfully progressed.' },
  ] };
  const cm = configMap();
  cm.metadata.managedFields = update({ ...base, old: undefined, updated: json(cm), manager: 'kubectl-create', apiVersion: 'v1', schema: cmSchema });
  const cmEdited = json(cm);
  cmEdited.data['key-3'] = 'changed';

  // Each call gets fresh copies (the apiserver decodes both from JSON), made outside the timed region.
  return [
    { name: 'pod create', opts: () => ({ ...base, old: undefined, updated: json(pod()), manager: 'kube-controller-manager', apiVersion: 'v1', schema: podSchema, ignoredPaths: [['f:status']] }) },
    { name: 'pod status update (kubelet)', opts: () => ({ ...base, now: T2, old: json(started), updated: (() => { const u = json(started); u.status.conditions[2].status = 'False'; return u; })(),
      manager: 'kubelet', apiVersion: 'v1', schema: podSchema, subresource: 'status', ignoredPaths: [['f:spec']] }) },
    { name: 'pod update (labels)', opts: () => ({ ...base, now: T2, old: json(started), updated: json(relabelled), manager: 'kubectl-label', apiVersion: 'v1', schema: podSchema, ignoredPaths: [['f:status']] }) },
    { name: 'deployment create', opts: () => ({ ...base, old: undefined, updated: json(deployment()), manager: 'kubectl-create', apiVersion: 'apps/v1', schema: depSchema, ignoredPaths: [['f:status']] }) },
    { name: 'deployment status update', opts: () => ({ ...base, now: T2, old: json(dep), updated: json(depStatus), manager: 'kube-controller-manager', apiVersion: 'apps/v1', schema: depSchema, subresource: 'status', ignoredPaths: [['f:spec']] }) },
    { name: 'configmap create', opts: () => ({ ...base, old: undefined, updated: json(configMap()), manager: 'kubectl-create', apiVersion: 'v1', schema: cmSchema }) },
    { name: 'configmap update', opts: () => ({ ...base, now: T2, old: json(cm), updated: json(cmEdited), manager: 'kubectl-edit', apiVersion: 'v1', schema: cmSchema }) },
  ];
}

/** Calls per second of `fn` over prepared inputs (input preparation is not timed). */
function rate(prepare: () => unknown, fn: (input: any) => unknown, ms: number): number {
  const batch = 200;
  const inputs = Array.from({ length: batch }, prepare);
  for (let i = 0; i < batch; i++) fn(inputs[i]); // warm-up
  let calls = 0, spent = 0;
  while (spent < ms) {
    const fresh = Array.from({ length: batch }, prepare);
    const t = performance.now();
    for (let i = 0; i < batch; i++) fn(fresh[i]);
    spent += performance.now() - t;
    calls += batch;
  }
  return (calls / spent) * 1000;
}

export async function main(args: string[] = process.argv.slice(2)): Promise<void> {
  const ms = Number(args.find((a) => /^\d+$/.test(a)) ?? 400);
  const implArg = args.find((a) => a.startsWith('--impl='));
  const impls: [string, Update][] = [['this build', updateManagedFields]];
  if (implArg) {
    const mod = await import(pathToFileURL(path.resolve(implArg.slice('--impl='.length))).href) as { updateManagedFields: Update };
    impls.unshift(['--impl', mod.updateManagedFields]);
  }
  const base = rate(() => json(pod()), (p) => structuredClone(p), ms);
  console.log(`baseline: structuredClone(Pod) ${Math.round(base)}/s`);
  const table = new Map<string, number[]>();
  for (const [, fn] of impls) {
    for (const c of cases(fn)) {
      const r = rate(c.opts, fn, ms);
      table.set(c.name, [...(table.get(c.name) ?? []), r]);
    }
  }
  for (const [name, rates] of table) {
    const figures = rates.map((r, i) => `${impls[i][0]} ${Math.round(r)} calls/s (${(1e6 / r).toFixed(1)} µs)`).join('   ');
    const ratio = rates.length === 2 ? `   ×${(rates[1] / rates[0]).toFixed(1)}` : '';
    console.log(`${name.padEnd(30)} ${figures}${ratio}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
