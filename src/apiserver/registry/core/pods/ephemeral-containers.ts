// pods/ephemeralcontainers (GET, PUT, PATCH; what `kubectl debug` writes): only spec.ephemeralContainers may
// change, as upstream's EphemeralContainersStrategy. Existing ephemeral containers may be neither removed nor
// changed; a new one is validated as a container, with a name unique among all the pod's containers, an
// existing non-ephemeral targetContainerName, and none of the fields that would make it part of the workload
// (ports, probes, lifecycle, resources, resizePolicy, restartPolicy, volume subPaths).
import { FieldError, invalid } from '../../../../api/errors.js';
import { NotFoundFieldError, semanticEqual } from '../../../../api/validation/index.js';
import type { KubeObject } from '../../../../api/object.js';
import type { SubresourceStrategy } from '../../types.js';
import { setContainerDefaults } from './pod-defaults.js';
import { validateContainer } from './pod-validation.js';

/** The EphemeralContainer fields upstream does not allow (allowedEphemeralContainerFields' false entries). */
const DISALLOWED = ['ports', 'resources', 'resizePolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'];

const isZero = (v: unknown): boolean => v === undefined || v === null || v === '' || v === false || v === 0
  || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

export function validateEphemeralContainersUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (old.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) {
    return [FieldError.forbidden('', 'static pods do not support ephemeral containers')];
  }
  const spec = pod.spec ?? {};
  const volumes = new Set<string>((spec.volumes ?? []).map((v: any) => v?.name));
  const others = new Set<string>([...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: any) => c?.name));
  const names = new Set<string>(others);
  const list: any[] = Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : [];
  list.forEach((ec, i) => {
    const p = `spec.ephemeralContainers[${i}]`;
    errs.push(...validateContainer(ec, p, volumes));
    if (ec?.name) {
      if (names.has(ec.name)) errs.push(FieldError.duplicate(`${p}.name`, ec.name));
      names.add(ec.name);
    }
    if (ec?.targetContainerName && !others.has(ec.targetContainerName)) errs.push(new NotFoundFieldError(`${p}.targetContainerName`, ec.targetContainerName));
    for (const field of DISALLOWED) {
      if (!isZero(ec?.[field])) errs.push(FieldError.forbidden(`${p}.${field}`, 'cannot be set for an Ephemeral Container'));
    }
    (ec?.volumeMounts ?? []).forEach((vm: any, j: number) => {
      if (vm?.subPath) errs.push(FieldError.forbidden(`${p}.volumeMounts[${j}].subPath`, 'cannot be set for an Ephemeral Container'));
      if (vm?.subPathExpr) errs.push(FieldError.forbidden(`${p}.volumeMounts[${j}].subPathExpr`, 'cannot be set for an Ephemeral Container'));
    });
  });
  // Existing ephemeral containers may not change; a patch does not keep their order, so match by name.
  const byName = new Map(list.map((ec) => [ec?.name, ec]));
  for (const oldEc of old.spec?.ephemeralContainers ?? []) {
    const now = byName.get(oldEc.name);
    if (!now) errs.push(FieldError.forbidden('spec.ephemeralContainers', `existing ephemeral containers "${oldEc.name}" may not be removed\n`));
    else if (!semanticEqual(now, oldEc)) errs.push(FieldError.forbidden(`spec.ephemeralContainers[${oldEc.name}]`, `existing ephemeral containers "${oldEc.name}" may not be changed\n`));
  }
  return errs;
}

export const ephemeralContainersStrategy: SubresourceStrategy = {
  prepareForUpdate(newObj, oldObj) {
    const ephemeral = newObj.spec?.ephemeralContainers;
    const metadata = newObj.metadata;
    for (const k of Object.keys(newObj)) delete (newObj as Record<string, unknown>)[k];
    Object.assign(newObj, structuredClone(oldObj));
    newObj.metadata = { ...structuredClone(oldObj.metadata), resourceVersion: metadata?.resourceVersion ?? oldObj.metadata.resourceVersion };
    newObj.spec = { ...newObj.spec };
    if (ephemeral === undefined || ephemeral === null) delete newObj.spec.ephemeralContainers;
    else newObj.spec.ephemeralContainers = ephemeral;
    for (const c of newObj.spec.ephemeralContainers ?? []) setContainerDefaults(c);
    const errs = validateEphemeralContainersUpdate(newObj, oldObj);
    if (errs.length) throw invalid('Pod', undefined, oldObj.metadata.name ?? '', errs);
  },
  skipValidation: true,
};
