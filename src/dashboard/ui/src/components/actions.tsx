// The buttons that change an object, each behind a confirmation: scale (the scale subresource, as kubectl scale),
// restart (a new pod template annotation, as kubectl rollout restart), rollback (the previous revision's pod template,
// as kubectl rollout undo) and delete (background propagation, as kubectl delete).
import { useState } from 'preact/hooks';
import { api, jsonPatch, mergePatch, type KubeObject } from '../api';
import { byKind, resourcePath, type ResourceType } from '../resources';
import { Dialog } from './dialog';

type Action = 'scale' | 'restart' | 'rollback' | 'delete';

/** The ReplicaSet of the highest revision below the Deployment's current one (what `kubectl rollout undo` picks). */
export async function previousRevision(d: KubeObject): Promise<{ revision: number; rs: KubeObject } | undefined> {
  const rsType = byKind.get('ReplicaSet')!;
  const list = await api<{ items: KubeObject[] }>(resourcePath(rsType, d.metadata.namespace));
  const current = Number(d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  let best: { revision: number; rs: KubeObject } | undefined;
  for (const rs of list.items) {
    if (!rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid)) continue;
    const rev = Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    if (rev < current && (!best || rev > best.revision)) best = { revision: rev, rs };
  }
  return best;
}

export function Actions(props: { resource: ResourceType; obj: KubeObject; onDeleted(): void }) {
  const { resource: r, obj } = props;
  const [open, setOpen] = useState<Action | undefined>();
  const [replicas, setReplicas] = useState(String(obj.spec?.replicas ?? 1));
  const [rollback, setRollback] = useState<{ revision: number; rs: KubeObject } | null | undefined>();
  const path = resourcePath(r, obj.metadata.namespace, obj.metadata.name);
  const name = `${r.kind} ${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name}`;
  const actions = r.actions ?? [];
  const openRollback = async () => {
    setRollback(undefined);
    setOpen('rollback');
    setRollback((await previousRevision(obj)) ?? null);
  };
  return (
    <div class="actions">
      {actions.includes('scale') && <button type="button" data-testid="action-scale" onClick={() => { setReplicas(String(obj.spec?.replicas ?? 1)); setOpen('scale'); }}>Scale</button>}
      {actions.includes('restart') && <button type="button" data-testid="action-restart" onClick={() => setOpen('restart')}>Restart</button>}
      {actions.includes('rollback') && <button type="button" data-testid="action-rollback" onClick={openRollback}>Roll back</button>}
      <button type="button" class="danger" data-testid="action-delete" onClick={() => setOpen('delete')}>Delete</button>

      {open === 'scale' && (
        <Dialog title={`Scale ${name}`} confirmLabel="Scale" onClose={() => setOpen(undefined)}
          onConfirm={async () => {
            const n = Number(replicas);
            if (!Number.isInteger(n) || n < 0) throw new Error('replicas must be a whole number ≥ 0');
            await mergePatch(`${path}/scale`, { spec: { replicas: n } });
          }}>
          <label>Replicas <input type="number" min="0" name="replicas" value={replicas} onInput={(e) => setReplicas((e.target as HTMLInputElement).value)} autoFocus /></label>
        </Dialog>
      )}
      {open === 'restart' && (
        <Dialog title={`Restart ${name}?`} confirmLabel="Restart" onClose={() => setOpen(undefined)}
          onConfirm={async () => { await mergePatch(path, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } }); }}>
          <p>Its pods are replaced one by one, following its update strategy.</p>
        </Dialog>
      )}
      {open === 'rollback' && (
        <Dialog title={`Roll back ${name}?`} confirmLabel="Roll back" onClose={() => setOpen(undefined)}
          onConfirm={async () => {
            if (!rollback) throw new Error('there is no earlier revision to roll back to');
            const template = structuredClone(rollback.rs.spec.template);
            if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
            await jsonPatch(path, [{ op: 'replace', path: '/spec/template', value: template }]);
          }}>
          {rollback === undefined ? <p>Looking for the previous revision…</p>
            : rollback === null ? <p class="warning">No earlier revision is kept.</p>
            : <p>Back to revision {rollback.revision} (ReplicaSet {rollback.rs.metadata.name}).</p>}
        </Dialog>
      )}
      {open === 'delete' && (
        <Dialog title={`Delete ${name}?`} confirmLabel="Delete" danger onClose={() => setOpen(undefined)}
          onConfirm={async () => {
            await api(path, { method: 'DELETE', body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' } });
            props.onDeleted();
          }}>
          <p>This cannot be undone{r.kind === 'Deployment' || r.kind === 'StatefulSet' || r.kind === 'ReplicaSet' ? '; its pods are deleted too' : ''}.</p>
        </Dialog>
      )}
    </div>
  );
}
