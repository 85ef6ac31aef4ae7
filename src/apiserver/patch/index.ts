// The four PATCH flavours the apiserver accepts, as pure functions over JSON objects (no I/O), plus the
// managedFields bookkeeping of ordinary writes. The handler parses the body, picks the function by
// Content-Type, and defaults/validates the result through the resource strategy.
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { applyServerSide, conflictError, BEFORE_FIRST_APPLY_MANAGER, type ApplyOptions, type ApplyResult } from './server-side-apply.js';
export {
  updateManagedFields, defaultFieldManager, decodeManagedFields, encodeManagedFields, formatTime,
  type ManagedFieldsEntry, type UpdateManagedFieldsOptions,
} from './managed-fields.js';
export { FieldSet, formatPath, type FieldPath } from './field-set.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/**
 * The patch type for a request's Content-Type (parameters such as "; charset=utf-8" ignored), or undefined
 * for anything else, including the CBOR apply variant (application/apply-patch+cbor), which we do not serve.
 */
export function patchTypeFromContentType(ct: string | undefined): PatchType | undefined {
  const mediaType = (ct ?? '').split(';')[0].trim().toLowerCase();
  switch (mediaType) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': return 'apply';
    default: return undefined;
  }
}
