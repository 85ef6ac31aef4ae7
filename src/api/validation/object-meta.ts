// ObjectMeta validation as upstream's apimachinery/pkg/api/validation (ValidateObjectMeta and
// ValidateObjectMetaUpdate). The generic store calls validateObjectMeta for every create and update.
import { FieldError } from '../errors.js';
import { TooLongFieldError, semanticEqual } from './go-value.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, type NameValidator } from './names.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10); // 256 kB

export interface ObjectMetaValidationOptions {
  /** Whether the resource is namespaced (namespace required) or cluster-scoped (namespace forbidden). */
  namespaced: boolean;
  /** The resource's name rule; default DNS-1123 subdomain (most resources). */
  nameValidator?: NameValidator;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(labels ?? {}).sort()) {
    for (const m of isQualifiedName(k)) errs.push(FieldError.invalid(path, k, m));
    const v = labels![k];
    for (const m of isValidLabelValue(typeof v === 'string' ? v : String(v))) errs.push(FieldError.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const k of Object.keys(annotations ?? {}).sort()) {
    // Annotation keys are qualified names except that case does not matter.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(FieldError.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(annotations![k] ?? ''));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(new TooLongFieldError(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errs;
}

function validateOwnerReferences(refs: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  for (const ref of refs ?? []) {
    const apiVersion = String(ref?.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(FieldError.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref?.kind) errs.push(FieldError.invalid(`${path}.kind`, ref?.kind ?? '', 'must not be empty'));
    if (!ref?.name) errs.push(FieldError.invalid(`${path}.name`, ref?.name ?? '', 'must not be empty'));
    if (!ref?.uid) errs.push(FieldError.invalid(`${path}.uid`, ref?.uid ?? '', 'must not be empty'));
    if (ref?.controller === true) controllers++;
  }
  if (controllers > 1) {
    errs.push(FieldError.invalid(path, refs, 'Only one reference can have Controller set to true'));
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) {
    for (const m of isQualifiedName(f)) errs.push(FieldError.invalid(path, f, m));
  }
  const set = new Set(finalizers ?? []);
  if (set.has('orphan') && set.has('foregroundDeletion')) {
    errs.push(FieldError.invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

/** Validates metadata of an object being created (or the new object of an update). Paths are "metadata.*". */
export function validateObjectMeta(meta: Record<string, any> | undefined, opts: ObjectMetaValidationOptions): FieldError[] {
  const m = meta ?? {};
  const nameFn = opts.nameValidator ?? nameIsDNSSubdomain;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(FieldError.invalid('metadata.generateName', m.generateName, msg));
  }
  if (!m.name) errs.push(FieldError.required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(FieldError.invalid('metadata.name', m.name, msg));
  if (opts.namespaced) {
    if (!m.namespace) errs.push(FieldError.required('metadata.namespace'));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(FieldError.invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(FieldError.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) {
    errs.push(FieldError.invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

/** Fails when newValue differs from oldValue (Semantic.DeepEqual), with upstream's "field is immutable". */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  return semanticEqual(newValue, oldValue) ? [] : [FieldError.invalid(path, newValue, FIELD_IMMUTABLE)];
}

/**
 * Metadata rules for an update (ValidateObjectMetaUpdate) except the resourceVersion presence check, which the
 * generic store owns (it fills in the stored resourceVersion for unconditional updates).
 */
export function validateObjectMetaUpdate(newMeta: Record<string, any>, oldMeta: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  if (oldMeta.deletionTimestamp) {
    const old = new Set<string>(oldMeta.finalizers ?? []);
    const extra = [...new Set<string>(newMeta.finalizers ?? [])].filter((f) => !old.has(f)).sort();
    if (extra.length) {
      errs.push(FieldError.forbidden('metadata.finalizers',
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((e) => JSON.stringify(e)).join(', ')}}`));
    }
  }
  if ((newMeta.generation ?? 0) < (oldMeta.generation ?? 0)) {
    errs.push(FieldError.invalid('metadata.generation', newMeta.generation ?? 0, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    errs.push(...validateImmutableField(newMeta[f] ?? undefined, oldMeta[f] ?? undefined, `metadata.${f}`));
  }
  errs.push(...validateLabels(newMeta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(newMeta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(newMeta.ownerReferences, 'metadata.ownerReferences'));
  return errs;
}
