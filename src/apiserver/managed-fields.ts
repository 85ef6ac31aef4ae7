// managedFields bookkeeping for non-apply writes (create, update, patch): each writer (fieldManager, or the
// User-Agent's product name as upstream derives it) owns the fields it set.
import type { StoreHooks } from './registry/generic-store.js';
import { updateManagedFields } from './patch/index.js';
import { loadSchemaModel } from '../api/schema/index.js';

/** Upstream: the manager defaults to the User-Agent up to the first "/" (e.g. "kubectl"), max 128 chars. */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = (userAgent ?? '').split('/')[0].trim();
  return (ua || 'unknown').slice(0, 128);
}

export const managedFieldsHook: NonNullable<StoreHooks['updateManagedFields']> = ({ def, old, updated, ctx, subresource }) => {
  if (subresource === 'binding') return;
  const model = loadSchemaModel();
  const schema = model.forKind(def.group, def.version, def.kind);
  if (!schema) return;
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const fields = updateManagedFields({
    old, updated, manager: managerName(ctx.fieldManager, ctx.userAgent), operation: 'Update', apiVersion, now: ctx.now,
    schema, model, subresource,
  } as any) as any;
  if (Array.isArray(fields)) updated.metadata.managedFields = fields;
  else if (fields && Array.isArray(fields.managedFields)) updated.metadata.managedFields = fields.managedFields;
};
