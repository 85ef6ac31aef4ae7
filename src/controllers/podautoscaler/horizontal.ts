// The HorizontalPodAutoscaler controller (upstream's pkg/controller/podautoscaler/horizontal.go), for Resource and
// ContainerResource metrics (CPU and memory; utilization or average value) read from metrics.k8s.io. Every sync
// period it reads the target's scale subresource (any kind that has one: Deployments, ReplicaSets, StatefulSets,
// ReplicationControllers, custom resources), computes each metric's replica count (replica-calculator.ts), takes
// the largest, normalizes it (normalize.ts), updates the scale when it differs, and writes upstream's status:
// currentReplicas, desiredReplicas, currentMetrics, lastScaleTime and the AbleToScale, ScalingActive and
// ScalingLimited conditions, with the SuccessfulRescale / Failed* events.
import { quantityNumber } from '../../api/quantity.js';
import { startController } from '../shared/start.js';
import type { ControllerOptions } from '../shared/options.js';
import type { Pod } from '../shared/types.js';
import { isNotFound } from '../../api/errors.js';
import { resources as builtin, type ResourceId } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { parseLabelSelector } from '../../api/labels.js';
import { deletedObject, metaNamespaceKey } from '../../client/keys.js';
import { errorText } from '../../client/log.js';
import { MetricError, resourceReplicas, type PodSample, type ResourceTarget } from './replica-calculator.js';
import { ScalingHistory, type Behavior } from './normalize.js';

export interface HorizontalPodAutoscalerOptions extends ControllerOptions {
  /** How often each autoscaler is evaluated (--horizontal-pod-autoscaler-sync-period, upstream 15 s). */
  syncPeriodMs?: number;
  /** Scale-down stabilization without spec.behavior (--horizontal-pod-autoscaler-downscale-stabilization, 5 min). */
  downscaleStabilizationMs?: number;
  /** --horizontal-pod-autoscaler-tolerance, 0.1. */
  tolerance?: number;
}

const hpaRes = builtin.horizontalpodautoscalers;
type Condition = { type: string; status: 'True' | 'False'; reason: string; message: string; lastTransitionTime?: string };

/** metav1.Time: RFC 3339 in whole seconds. */
const metaTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** "cpu resource utilization (percentage of request)", as upstream names a metric in messages. */
function metricName(m: any): string {
  const c = m.type === 'ContainerResource';
  const src = c ? m.containerResource : m.resource;
  const what = `${src?.name} ${c ? 'container ' : ''}resource`;
  return src?.target?.type === 'Utilization' ? `${what} utilization (percentage of request)` : what;
}

/** A base-unit amount as a Quantity string: CPU in millicores, anything else in whole units. */
function quantityString(resource: string, v: number): string {
  return resource === 'cpu' ? `${Math.round(v * 1000)}m` : String(Math.round(v));
}

export function startHorizontalPodAutoscalerController(opts: HorizontalPodAutoscalerOptions): Promise<void> {
  return startController(opts, { name: 'horizontal-pod-autoscaler', queue: 'horizontalpodautoscaler', component: 'horizontal-pod-autoscaler', defaultWorkers: 5 },
    ({ client, informers, clock, log, queue, recorder }) => {
      const syncPeriodMs = opts.syncPeriodMs ?? 15_000;
      const downscaleMs = opts.downscaleStabilizationMs ?? 300_000;
      const hpas = informers.informerFor<KubeObject>(hpaRes);
      const pods = informers.informerFor<Pod>(builtin.pods);
      const history = new ScalingHistory();
      hpas.addEventHandler({
        onAdd: (o) => queue.add(metaNamespaceKey(o)),
        onUpdate: (old, o) => { if (old.metadata?.generation !== o.metadata?.generation) queue.add(metaNamespaceKey(o)); },
        onDelete: (o) => history.forget(metaNamespaceKey(deletedObject(o))),
      });

      /** The scale target's resource: the built-in registry first, then the group's discovery (custom resources). */
      async function targetResource(ref: { apiVersion?: string; kind?: string }): Promise<ResourceId> {
        const [group, version] = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/') : ['', ref.apiVersion || 'v1'];
        const known = Object.values(builtin).find((r) => r.group === group && r.kind === ref.kind && (r.version === version || !ref.apiVersion));
        if (known) return known;
        const list = await client.requestJson<{ resources?: Array<{ name: string; kind: string; namespaced: boolean }> }>({ method: 'GET', path: group ? `/apis/${group}/${version}` : '/api/v1' });
        const r = list.resources?.find((x) => x.kind === ref.kind && !x.name.includes('/'));
        if (!r) throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
        return { group, version: version!, resource: r.name, namespaced: r.namespaced, kind: r.kind };
      }

      async function podSamples(namespace: string, selector: string, target: ResourceTarget): Promise<Map<string, PodSample>> {
        const q = new URLSearchParams({ labelSelector: selector });
        const list = await client.requestJson<{ items?: any[] }>({ method: 'GET', path: `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`, query: q });
        const out = new Map<string, PodSample>();
        for (const pm of list.items ?? []) {
          const containers = (pm.containers ?? []).filter((c: any) => !target.container || c.name === target.container);
          if (containers.length === 0) continue;
          let sum = 0;
          for (const c of containers) { const v = quantityNumber(c.usage?.[target.resource]); if (Number.isFinite(v)) sum += v; }
          out.set(pm.metadata?.name, { value: sum, timestampMs: Date.parse(pm.timestamp) || clock.now(), windowMs: windowMs(pm.window) });
        }
        return out;
      }

      async function reconcile(key: string) {
        const cached = hpas.get(key);
        if (!cached) return;
        const hpa = structuredClone(cached) as KubeObject;
        const ns = hpa.metadata!.namespace!;
        const spec = hpa.spec ?? {};
        const nowMs = clock.now();
        const conditions = new Map<string, Condition>((hpa.status?.conditions ?? []).map((c: Condition) => [c.type, c]));
        const setCondition = (type: string, status: 'True' | 'False', reason: string, message: string) => {
          const prev = conditions.get(type);
          conditions.set(type, { type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : metaTime(nowMs), reason, message });
        };
        const reference = `${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}`;
        const minReplicas: number = spec.minReplicas ?? 1;
        const maxReplicas: number = spec.maxReplicas;
        let currentMetrics: any[] = hpa.status?.currentMetrics ?? [];

        const writeStatus = async (currentReplicas: number, desiredReplicas: number, rescaled: boolean) => {
          const status = {
            observedGeneration: hpa.metadata?.generation,
            ...(rescaled ? { lastScaleTime: metaTime(nowMs) } : hpa.status?.lastScaleTime ? { lastScaleTime: hpa.status.lastScaleTime } : {}),
            currentReplicas, desiredReplicas,
            ...(currentMetrics.length ? { currentMetrics } : {}),
            conditions: ['AbleToScale', 'ScalingActive', 'ScalingLimited'].flatMap((t) => (conditions.has(t) ? [conditions.get(t)!] : [])),
          };
          if (JSON.stringify(status) === JSON.stringify(cached.status)) return;
          try {
            await client.updateStatus(hpaRes, { ...hpa, status });
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        };

        let res: ResourceId, scale;
        try {
          res = await targetResource(spec.scaleTargetRef ?? {});
          scale = await client.getScale(res, ns, spec.scaleTargetRef.name);
        } catch (e) {
          const msg = errorText(e);
          setCondition('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
          await recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
          await writeStatus(hpa.status?.currentReplicas ?? 0, hpa.status?.desiredReplicas ?? 0, false);
          return { requeueAfter: syncPeriodMs };
        }
        const currentReplicas = scale.spec.replicas ?? 0;
        let desired = 0, rescaleReason = '', rescale = false;
        if (currentReplicas === 0 && minReplicas !== 0) {
          setCondition('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
        } else if (currentReplicas > maxReplicas) {
          rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
          desired = maxReplicas;
        } else if (currentReplicas < minReplicas) {
          rescaleReason = 'Current number of replicas below Spec.MinReplicas';
          desired = minReplicas;
        } else {
          const selector = scale.status?.selector;
          const computed = await computeForMetrics(hpa, selector, currentReplicas, nowMs, setCondition);
          currentMetrics = computed.statuses;
          if (computed.replicas === -1) {
            await writeStatus(currentReplicas, hpa.status?.desiredReplicas ?? currentReplicas, false);
            await recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error!);
            return { requeueAfter: syncPeriodMs };
          }
          desired = computed.replicas;
          if (desired > currentReplicas) rescaleReason = `${computed.metric} above target`;
          if (desired < currentReplicas) rescaleReason = 'All metrics below target';
          const n = spec.behavior
            ? history.normalizeWithBehavior(key, nowMs, currentReplicas, desired, minReplicas, maxReplicas, spec.behavior as Required<Behavior>)
            : history.normalize(key, nowMs, currentReplicas, desired, minReplicas, maxReplicas, downscaleMs);
          setCondition('AbleToScale', 'True', n.stabilized.reason, n.stabilized.message);
          setCondition('ScalingLimited', n.limited.limited ? 'True' : 'False', n.limited.reason, n.limited.message);
          desired = n.replicas;
        }
        rescale = desired !== currentReplicas && !(currentReplicas === 0 && minReplicas !== 0);
        if (rescale) {
          try {
            await client.updateScale(res, ns, spec.scaleTargetRef.name, { ...scale, spec: { ...scale.spec, replicas: desired } });
          } catch (e) {
            await recorder.eventf(hpa, 'Warning', 'FailedRescale', 'New size: %d; reason: %s; error: %s', desired, rescaleReason, errorText(e));
            setCondition('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${errorText(e)}`);
            await writeStatus(currentReplicas, desired, false);
            throw e;
          }
          setCondition('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
          await recorder.eventf(hpa, 'Normal', 'SuccessfulRescale', 'New size: %d; reason: %s', desired, rescaleReason);
          if (spec.behavior) history.scaled(key, currentReplicas, desired, nowMs);
          log({ level: 'info', msg: 'rescaled', controller: 'horizontal-pod-autoscaler', hpa: key, target: reference, from: currentReplicas, to: desired, reason: rescaleReason });
        } else desired = currentReplicas;
        await writeStatus(currentReplicas, desired, rescale);
        return { requeueAfter: syncPeriodMs };
      }

      /** upstream computeReplicasForMetrics: the largest proposal; -1 when every metric (or, scaling down, any) failed. */
      async function computeForMetrics(hpa: KubeObject, selector: string | undefined, specReplicas: number, nowMs: number,
        setCondition: (type: string, status: 'True' | 'False', reason: string, message: string) => void) {
        const metrics: any[] = hpa.spec?.metrics ?? [];
        const ns = hpa.metadata!.namespace!;
        const statuses: any[] = [];
        let replicas = 0, metric = '', invalid = 0, firstError = '';
        let invalidCondition: [string, string] | undefined;
        for (const m of metrics) {
          const name = metricName(m);
          try {
            if (m.type !== 'Resource' && m.type !== 'ContainerResource') {
              throw new MetricError(`unable to get metric ${m.type}: nanokube serves only resource metrics (metrics.k8s.io), not custom or external metrics`);
            }
            if (!selector) throw new MetricError('selector is required');
            const src = m.type === 'Resource' ? m.resource : m.containerResource;
            const target: ResourceTarget = { resource: src.name, ...(m.type === 'ContainerResource' ? { container: src.container } : {}),
              ...(src.target?.type === 'Utilization' ? { utilization: src.target.averageUtilization } : { averageValue: quantityNumber(src.target?.averageValue) }) };
            const sel = parseLabelSelector(selector);
            const targetPods = pods.list(ns).filter((p) => sel.matches(p.metadata?.labels));
            const samples = await podSamples(ns, selector, target);
            const rec = resourceReplicas(specReplicas, target, targetPods, samples, nowMs, opts.tolerance);
            const key = m.type === 'Resource' ? 'resource' : 'containerResource';
            statuses.push({ type: m.type, [key]: { name: src.name, ...(target.container ? { container: target.container } : {}),
              current: { ...(rec.utilization !== undefined ? { averageUtilization: rec.utilization } : {}), averageValue: quantityString(src.name, rec.averageValue) } } });
            if (rec.replicas > replicas) { replicas = rec.replicas; metric = name; }
          } catch (e) {
            statuses.push({ type: '' });
            invalid++;
            const msg = errorText(e);
            if (!firstError) {
              firstError = msg;
              const reason = m.type === 'ContainerResource' ? 'FailedGetContainerResourceMetric' : m.type === 'Resource' ? 'FailedGetResourceMetric' : `FailedGet${m.type}Metric`;
              invalidCondition = [reason, `the HPA was unable to compute the replica count: ${msg}`];
              await recorder.event(hpa, 'Warning', reason, msg);
            }
          }
        }
        if (invalid >= metrics.length || (invalid > 0 && replicas < specReplicas)) {
          setCondition('ScalingActive', 'False', invalidCondition![0], invalidCondition![1]);
          return { replicas: -1, metric: '', statuses: statuses.filter((s) => s.type), error: `invalid metrics (${invalid} invalid out of ${metrics.length}), first error is: ${firstError}` };
        }
        setCondition('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
        return { replicas, metric, statuses: statuses.filter((s) => s.type) };
      }

      return { informers: [hpas, pods], reconcile };
    });
}

/** A Go duration from metrics-server ("15s", "500ms", "1m0s") in ms; 0 when unparseable. */
function windowMs(d: unknown): number {
  let ms = 0;
  for (const [, n, unit] of String(d ?? '').matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) {
    const v = Number(n);
    ms += unit === 'h' ? v * 3_600_000 : unit === 'm' ? v * 60_000 : unit === 's' ? v * 1000 : unit === 'ms' ? v : 0;
  }
  return ms;
}
