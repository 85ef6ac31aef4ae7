// The Deployment controller (upstream pkg/controller/deployment/deployment_controller.go): per deployment, claim
// its ReplicaSets by selector (adopt/release through controller references), then, in upstream's order of
// precedence: status only while being deleted, paused → scale only, deprecated rollback annotation, scaling event
// → proportional scale, otherwise roll out with the Recreate or RollingUpdate strategy.
import { selectorFromSpec } from '../../api/labels.js';
import { resources } from '../../api/resources.js';
import { enqueueHandlers, type ReconcileResult } from '../../client/controller.js';
import type { SharedInformer } from '../../client/informer.js';
import { deletedObject, metaNamespaceKey, splitMetaNamespaceKey, type DeletedFinalStateUnknown } from '../../client/keys.js';
import { claimObjects, controllersSelecting, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, recheckDeletionTimestamp, resolveControllerRef } from '../shared/controller-ref.js';
import type { ControllerOptions } from '../shared/options.js';
import { ControllerBase, runWorkers } from '../shared/start.js';
import type { Deployment, Pod, ReplicaSet } from '../shared/types.js';
import { rolloutRecreate } from './recreate.js';
import { getRollbackTo, rollback } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { checkPausedConditions, deploymentKind, isScalingEvent, sync, syncStatusOnly, updateDeploymentStatus, type SyncContext } from './sync.js';

export type DeploymentControllerOptions = ControllerOptions;

export class DeploymentController extends ControllerBase {
  private readonly ctx: SyncContext;
  private readonly dInformer: SharedInformer<Deployment>;
  private readonly rsInformer: SharedInformer<ReplicaSet>;
  private readonly podInformer: SharedInformer<Pod>;

  constructor(private readonly opts: DeploymentControllerOptions) {
    super(opts, { queue: 'deployment', component: 'deployment-controller' });
    this.dInformer = opts.informers.informerFor<Deployment>(resources.deployments);
    this.rsInformer = opts.informers.informerFor<ReplicaSet>(resources.replicasets, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.podInformer = opts.informers.informerFor<Pod>(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
    this.ctx = {
      client: this.client, clock: this.clock, log: this.log, rsInformer: this.rsInformer,
      recorder: this.wiring.recorder,
    };
    this.dInformer.addEventHandler(enqueueHandlers(this.queue));
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.onAddReplicaSet(rs),
      onUpdate: (old, cur) => this.onUpdateReplicaSet(old, cur),
      onDelete: (obj) => this.onDeleteReplicaSet(obj),
    });
    this.podInformer.addEventHandler({ onDelete: (obj) => this.onDeletePod(obj) });
  }

  /** Starts the informers it uses and runs the workers until opts.signal aborts. */
  run(): Promise<void> {
    return runWorkers(this.wiring, this.opts, {
      name: 'deployment-controller', informers: [this.dInformer, this.rsInformer, this.podInformer], defaultWorkers: 5,
      reconcile: (key) => this.reconcile(key),
    });
  }

  // --- event handlers: only compute keys and enqueue ---------------------------------------------------------

  private enqueue(d: Deployment): void { this.queue.add(metaNamespaceKey(d)); }

  private resolveControllerRef(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): Deployment | undefined {
    return resolveControllerRef(this.dInformer, deploymentKind.kind, namespace, ref);
  }

  /** Deployments whose selector matches an orphan ReplicaSet (more than one is a user error; all get synced). */
  private deploymentsForReplicaSet(rs: ReplicaSet): Deployment[] { return controllersSelecting(this.dInformer, rs); }

  private onAddReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata?.deletionTimestamp) { this.onDeleteReplicaSet(rs); return; }
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata?.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private onUpdateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid || curRef?.name !== oldRef?.name;
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata?.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata?.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.deploymentsForReplicaSet(cur)) this.enqueue(d);
  }

  private onDeleteReplicaSet(obj: ReplicaSet | DeletedFinalStateUnknown<ReplicaSet>): void {
    const rs = deletedObject(obj);
    const d = this.resolveControllerRef(rs.metadata?.namespace, getControllerOf(rs));
    if (d) this.enqueue(d);
  }

  /** A Recreate rollout waits for the old pods to be gone; their deletion is what lets it continue. */
  private onDeletePod(obj: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(obj);
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.getByName(pod.metadata?.namespace, ref.name);
    if (!rs || rs.metadata?.uid !== ref.uid) return;
    const d = this.resolveControllerRef(rs.metadata?.namespace, getControllerOf(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  // --- reconcile ---------------------------------------------------------------------------------------------

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.dInformer.getByName(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached) as Deployment;
    const sel = d.spec?.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      void this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata?.generation };
        await updateDeploymentStatus(this.ctx, d);
      }
      return;
    }
    const rsList = await this.getReplicaSetsForDeployment(d);
    const podMap = this.getPodMapForDeployment(d, rsList);

    if (d.metadata?.deletionTimestamp) { await syncStatusOnly(this.ctx, d, rsList); return; }
    await checkPausedConditions(this.ctx, d);
    if (d.spec?.paused) { await sync(this.ctx, d, rsList); return; }
    if (getRollbackTo(d) !== undefined) { await rollback(this.ctx, d, rsList); return; }
    if (await isScalingEvent(this.ctx, d, rsList)) { await sync(this.ctx, d, rsList); return; }
    switch (d.spec?.strategy?.type ?? 'RollingUpdate') {
      case 'Recreate': return rolloutRecreate(this.ctx, d, rsList, podMap);
      case 'RollingUpdate': return rolloutRolling(this.ctx, d, rsList);
      default: throw new Error(`unexpected deployment strategy type: ${d.spec?.strategy?.type}`);
    }
  }

  /** The deployment's ReplicaSets, adopting matching orphans and releasing ones that no longer match. */
  private async getReplicaSetsForDeployment(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorFromSpec(d.spec?.selector);
    const { namespace, name } = d.metadata ?? {};
    const claimed = await claimObjects<ReplicaSet>(this.rsInformer.list(namespace ?? ''), {
      client: this.client, resource: resources.replicasets, controller: d, controllerKind: deploymentKind,
      match: (rs) => !selector.empty && selector.matches(rs.metadata?.labels),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(resources.deployments, namespace, name ?? ''), d),
    });
    return claimed.map((rs) => structuredClone(rs) as ReplicaSet);
  }

  /** The deployment's pods grouped by the UID of the (claimed) ReplicaSet controlling them. */
  private getPodMapForDeployment(d: Deployment, rsList: ReplicaSet[]): Map<string, Pod[]> {
    const selector = selectorFromSpec(d.spec?.selector);
    const map = new Map<string, Pod[]>();
    for (const rs of rsList) map.set(rs.metadata?.uid ?? '', []);
    for (const p of this.podInformer.list(d.metadata?.namespace ?? '')) {
      if (selector.empty || !selector.matches(p.metadata?.labels)) continue;
      const ref = getControllerOf(p);
      if (!ref) continue;
      map.get(ref.uid)?.push(p);
    }
    return map;
  }
}
