// managedFields bookkeeping for non-apply writes (create, update, patch): each writer (fieldManager, or the
// User-Agent's product name as upstream derives it) owns the fields it set.
import type { StoreHooks } from './registry/generic-store.js';
import { updateManagedFields } from './patch/index.js';
import { modelFor } from './schema-model.js';

/** Upstream: the manager defaults to the User-Agent up to the first "/" (e.g. "kubectl"), max 128 chars. */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = (userAgent ?? '').split('/')[0].trim();
  return (ua || 'unknown').slice(0, 128);
}

// (Constants: the managed-fields code keeps what it derives from them per list.)
const STATUS_PATHS = [['f:status']], SPEC_PATHS = [['f:spec']];

export const managedFieldsHook: NonNullable<StoreHooks['updateManagedFields']> = ({ def, old, updated, ctx, subresource }) => {
  // Server-side apply computes its own managedFields; binding is the scheduler's internal write.
  if (subresource === 'binding' || ctx.apply) return;
  const model = modelFor(def);
  const schema = model.forKind(def.group, def.version, def.kind);
  if (!schema) return;
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const fields = updateManagedFields({
    old, updated, manager: managerName(ctx.fieldManager, ctx.userAgent), operation: 'Update', apiVersion, now: ctx.now,
    schema, model, subresource,
    // Status is owned only through the status subresource (upstream's reset fields).
    ignoredPaths: def.strategy.hasStatus && !subresource ? STATUS_PATHS : subresource === 'status' ? SPEC_PATHS : undefined,
  });
  if (fields.length) updated.metadata.managedFields = fields; else delete updated.metadata.managedFields;
};
