// Structural defaulting of custom resources (upstream structuraldefaulting.Default): a property with a `default`
// that is absent is set to a copy of it, from the root down, so defaults inside defaults apply too.
import { isObject, type JSONSchemaProps } from './json-schema.js';

export function applyDefaults(s: JSONSchemaProps | undefined, value: unknown): void {
  if (!s) return;
  if (Array.isArray(value)) { if (s.items) for (const v of value) applyDefaults(s.items, v); return; }
  if (!isObject(value)) return;
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (value[k] === undefined && p.default !== undefined) value[k] = structuredClone(p.default);
  }
  for (const [k, v] of Object.entries(value)) {
    const p = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (p) applyDefaults(p, v);
  }
}
