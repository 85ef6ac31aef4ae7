// The well-formed objects the fuzz generators start from (one of each kind the brief names), and the namespaces
// the fuzz run works in.

export const FUZZ_NS = 'fuzz';
/** Where deletecollection with fuzzed selectors runs, so a selector that happens to match everything harms nothing else. */
export const FUZZ_DC_NS = 'fuzz-dc';

export interface Fixture { kind: string; path: string; name: string; object: Record<string, any> }

export function fixtures(ns = FUZZ_NS): Fixture[] {
  const labels = { app: 'web', tier: 'front' };
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'fx-pod', namespace: ns, labels, annotations: { note: 'fuzz' } },
    spec: {
      containers: [{
        name: 'web', image: 'nginx:1.27', command: ['nginx'], args: ['-g', 'daemon off;'],
        env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
        readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
      }],
      restartPolicy: 'Always', nodeSelector: { disk: 'ssd' }, terminationGracePeriodSeconds: 30,
      tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }],
      securityContext: { runAsUser: 1000, runAsNonRoot: true },
      volumes: [{ name: 'cfg', configMap: { name: 'fx-cm', items: [{ key: 'a', path: 'a.txt' }] } }],
    },
  };
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'fx-deploy', namespace: ns, labels },
    spec: {
      replicas: 2, selector: { matchLabels: labels, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      revisionHistoryLimit: 3, minReadySeconds: 0,
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
    },
  };
  const configMap = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'fx-cm', namespace: ns, labels, annotations: { a: 'b' } },
    data: { a: '1', 'b.txt': 'hello' }, binaryData: { bin: 'AAEC' },
  };
  const service = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'fx-svc', namespace: ns, labels },
    spec: {
      type: 'NodePort', selector: labels, sessionAffinity: 'None', externalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'alt', port: 8080, targetPort: 8080 }],
    },
  };
  return [
    { kind: 'Pod', path: `/api/v1/namespaces/${ns}/pods`, name: 'fx-pod', object: pod },
    { kind: 'Deployment', path: `/apis/apps/v1/namespaces/${ns}/deployments`, name: 'fx-deploy', object: deployment },
    { kind: 'ConfigMap', path: `/api/v1/namespaces/${ns}/configmaps`, name: 'fx-cm', object: configMap },
    { kind: 'Service', path: `/api/v1/namespaces/${ns}/services`, name: 'fx-svc', object: service },
  ];
}
