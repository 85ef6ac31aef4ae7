// Upstream's APF configuration producer (the priority-and-fairness-config-producer post-start hook and
// pkg/registry/flowcontrol/ensurer), run at start and then every minute: missing bootstrap objects are created;
// mandatory ones (exempt, catch-all) always get their fixed spec back; suggested ones are brought up to date only
// while apf.kubernetes.io/autoupdate-spec is "true" (or, without a valid annotation, while nobody changed them:
// generation 1), so a user who sets it to "false" keeps their edits; objects annotated "true" that are no longer in
// the bootstrap set are deleted.
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Registry } from '../registry/registry.js';
import type { GenericStore } from '../registry/generic-store.js';
import { deepEqual } from '../../api/json-equal.js';
import { AUTOUPDATE_ANNOTATION, FLOWCONTROL_GROUP, mandatoryFlowSchemas, mandatoryPriorityLevels, suggestedFlowSchemas, suggestedPriorityLevels } from './bootstrap.js';

const FIELD_MANAGER = 'api-priority-and-fairness-config-producer-v1';

function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  return undefined;
}

/** upstream's shouldUpdateSpec: the annotation's value, or (no valid value) whether the object is unchanged since creation. */
function autoUpdateSpec(obj: KubeObject): boolean {
  return parseBool(obj.metadata.annotations?.[AUTOUPDATE_ANNOTATION]) ?? obj.metadata.generation === 1;
}

async function ensureOne(store: GenericStore, registry: Registry, want: KubeObject, mandatory: boolean): Promise<void> {
  const name = want.metadata.name!;
  const cur = await store.tryGet(undefined, name);
  if (!cur) {
    try { await store.create(undefined, structuredClone(want), registry.writeContext({ fieldManager: FIELD_MANAGER })); } catch (e) { if (!isAlreadyExists(e)) throw e; }
    return;
  }
  const autoUpdate = mandatory || autoUpdateSpec(cur);
  const annotationOk = parseBool(cur.metadata.annotations?.[AUTOUPDATE_ANNOTATION]) === autoUpdate;
  const specChanged = autoUpdate && !deepEqual(cur.spec, want.spec);
  if (annotationOk && !specChanged) return;
  const next = structuredClone(cur);
  if (!annotationOk) next.metadata.annotations = { ...next.metadata.annotations, [AUTOUPDATE_ANNOTATION]: String(autoUpdate) };
  if (specChanged) next.spec = structuredClone(want.spec);
  await store.update(undefined, name, next, registry.writeContext({ fieldManager: FIELD_MANAGER }));
}

async function removeUnwanted(store: GenericStore, registry: Registry, wanted: Set<string>): Promise<void> {
  for (const o of (await store.list(undefined)).items) {
    if (wanted.has(o.metadata.name!)) continue;
    if (parseBool(o.metadata.annotations?.[AUTOUPDATE_ANNOTATION]) !== true) continue;
    try { await store.delete(undefined, o.metadata.name!, {}, registry.writeContext()); } catch (e) { if (!isNotFound(e)) throw e; }
  }
}

/** One pass of the producer: suggested, then mandatory objects, then removal of retired ones. */
export async function ensureFlowControlBootstrap(registry: Registry): Promise<void> {
  const fss = registry.forResource(FLOWCONTROL_GROUP, 'flowschemas');
  const pls = registry.forResource(FLOWCONTROL_GROUP, 'prioritylevelconfigurations');
  if (!fss || !pls) return;
  await Promise.all([
    ...suggestedPriorityLevels.map((o) => ensureOne(pls, registry, o, false)),
    ...suggestedFlowSchemas.map((o) => ensureOne(fss, registry, o, false)),
  ]);
  await Promise.all([
    ...mandatoryPriorityLevels.map((o) => ensureOne(pls, registry, o, true)),
    ...mandatoryFlowSchemas.map((o) => ensureOne(fss, registry, o, true)),
  ]);
  await removeUnwanted(fss, registry, new Set([...mandatoryFlowSchemas, ...suggestedFlowSchemas].map((o) => o.metadata.name!)));
  await removeUnwanted(pls, registry, new Set([...mandatoryPriorityLevels, ...suggestedPriorityLevels].map((o) => o.metadata.name!)));
}
