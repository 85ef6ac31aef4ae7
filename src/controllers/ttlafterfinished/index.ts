// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): a finished Job (Complete or Failed)
// with spec.ttlSecondsAfterFinished is deleted that many seconds after it finished, with propagationPolicy
// Foreground so its pods go first, and a uid precondition so a re-created Job of the same name is never hit.
import { isNotFound } from '../../api/errors.js';
import { resources } from '../../api/resources.js';
import type { KubeObject } from '../../api/object.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/keys.js';
import type { ControllerOptions } from '../shared/options.js';
import { startController } from '../shared/start.js';
import { parseTime } from '../shared/time.js';

/** When the Job finished (its Complete or Failed condition's lastTransitionTime); undefined while it runs. */
export function jobFinishTime(job: KubeObject): number | undefined {
  const c = (job.status?.conditions ?? []).find((x: any) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  return parseTime(c.lastTransitionTime) ?? parseTime(job.status?.completionTime);
}

/** Runs the TTL-after-finished controller until opts.signal aborts. */
export function startTTLAfterFinishedController(opts: ControllerOptions): Promise<void> {
  return startController(opts, { name: 'ttl-after-finished-controller', queue: 'ttl_jobs_to_delete', component: 'ttl-after-finished-controller', defaultWorkers: 5 },
    ({ client, informers, clock, queue }) => {
      const jobs = informers.informerFor<KubeObject>(resources.jobs);
      const enqueue = (job: KubeObject) => {
        if (job.metadata?.deletionTimestamp || job.spec?.ttlSecondsAfterFinished == null || jobFinishTime(job) === undefined) return;
        queue.add(metaNamespaceKey(job));
      };
      jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
      return {
        informers: [jobs],
        async reconcile(key) {
          const { namespace, name } = splitMetaNamespaceKey(key);
          const cached = jobs.getByName(namespace, name);
          if (!cached || cached.metadata.deletionTimestamp) return;
          const ttl = cached.spec?.ttlSecondsAfterFinished;
          const finished = jobFinishTime(cached);
          if (ttl == null || finished === undefined) return;
          const left = finished + ttl * 1000 - clock.now();
          if (left > 0) return { requeueAfter: left };
          // Re-read: the TTL or the Job may have changed since the cache saw it (upstream does the same).
          let fresh: KubeObject;
          try { fresh = await client.get(resources.jobs, namespace, name); } catch (e) { if (isNotFound(e)) return; throw e; }
          const freshFinished = jobFinishTime(fresh);
          const freshTtl = fresh.spec?.ttlSecondsAfterFinished;
          if (fresh.metadata.uid !== cached.metadata.uid || freshTtl == null || freshFinished === undefined) return;
          const freshLeft = freshFinished + freshTtl * 1000 - clock.now();
          if (freshLeft > 0) return { requeueAfter: freshLeft };
          try {
            await client.delete(resources.jobs, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
          } catch (e) { if (!isNotFound(e)) throw e; }
        },
      };
    });
}
