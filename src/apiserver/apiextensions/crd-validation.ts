// Validation of a CustomResourceDefinition itself, after upstream's ValidateCustomResourceDefinition
// (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation): names, group, scope, versions (exactly one
// storage version), structural schemas, subresources, printer columns and CEL rules that compile.
import { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../../api/validation/names.js';
import { compileRule } from './cel-validation.js';
import { validateValue } from './schema-validation.js';
import { isObject, type JSONSchemaProps } from './json-schema.js';

const PRINTER_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

export function validateCustomResourceDefinition(crd: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObject(crd.spec) ? crd.spec as any : {};
  const names = isObject(spec.names) ? spec.names : {};
  const group: string = spec.group ?? '';
  if (crd.metadata.name !== `${names.plural ?? ''}.${group}`) {
    errs.push(FieldError.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!group) errs.push(FieldError.required('spec.group', ''));
  else if (isDNS1123Subdomain(group).length) errs.push(FieldError.invalid('spec.group', group, isDNS1123Subdomain(group).join(',')));
  else if (group.split('.').length < 2) errs.push(FieldError.invalid('spec.group', group, 'should be a domain with at least one dot'));
  if (!spec.scope) errs.push(FieldError.required('spec.scope', ''));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(FieldError.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  errs.push(...validateNames(names, 'spec.names'));

  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  const versionNames = versions.map((v) => v?.name);
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (seen.has(v?.name)) unique = false;
    seen.add(v?.name);
    const nameErrs = isDNS1035Label(String(v?.name ?? ''));
    if (nameErrs.length) errs.push(FieldError.invalid(`${p}.name`, v?.name ?? '', nameErrs.join(',')));
    const schema = v?.schema?.openAPIV3Schema;
    if (!isObject(schema)) errs.push(FieldError.required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else errs.push(...validateStructural(schema as JSONSchemaProps, `${p}.schema.openAPIV3Schema`, true));
    const scale = v?.subresources?.scale;
    if (scale) {
      if (!/^\.spec(\.[A-Za-z0-9_-]+)+$/.test(scale.specReplicasPath ?? '')) errs.push(FieldError.invalid(`${p}.subresources.scale.specReplicasPath`, scale.specReplicasPath ?? '', 'should be a json path under .spec'));
      if (!/^\.status(\.[A-Za-z0-9_-]+)+$/.test(scale.statusReplicasPath ?? '')) errs.push(FieldError.invalid(`${p}.subresources.scale.statusReplicasPath`, scale.statusReplicasPath ?? '', 'should be a json path under .status'));
      if (scale.labelSelectorPath !== undefined && !/^\.(spec|status)(\.[A-Za-z0-9_-]+)+$/.test(scale.labelSelectorPath)) errs.push(FieldError.invalid(`${p}.subresources.scale.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
    (Array.isArray(v?.additionalPrinterColumns) ? v.additionalPrinterColumns : []).forEach((c: any, j: number) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c?.name) errs.push(FieldError.required(`${cp}.name`, ''));
      if (!c?.type) errs.push(FieldError.required(`${cp}.type`, ''));
      else if (!PRINTER_TYPES.includes(c.type)) errs.push(FieldError.notSupported(`${cp}.type`, c.type, PRINTER_TYPES));
      if (!c?.jsonPath) errs.push(FieldError.required(`${cp}.jsonPath`, ''));
      if (c?.priority !== undefined && c.priority < 0) errs.push(FieldError.invalid(`${cp}.priority`, c.priority, 'must be greater than or equal to 0'));
    });
  });
  if (!unique) errs.push(FieldError.invalid('spec.versions', versionNames, 'must contain unique version names'));
  if (versions.filter((v) => v?.storage === true).length !== 1) errs.push(FieldError.invalid('spec.versions', versionNames, 'must have exactly one version marked as storage version'));
  if (versions.length && !versions.some((v) => v?.served)) errs.push(FieldError.invalid('spec.versions', versionNames, 'must have at least one version marked as served'));
  errs.push(...validateStoredVersions(crd.status?.storedVersions, versionNames));
  const strategy = spec.conversion?.strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') errs.push(FieldError.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook') errs.push(FieldError.forbidden('spec.conversion.strategy', 'conversion webhooks are not supported by nanokube'));
  if (spec.preserveUnknownFields === true) errs.push(FieldError.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  return errs;
}

export function validateCustomResourceDefinitionUpdate(crd: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateCustomResourceDefinition(crd);
  const immutable = (path: string, a: unknown, b: unknown) => { if (a !== b) errs.push(FieldError.invalid(path, a, 'field is immutable')); };
  // Scope and kind decide how objects are stored: fixed once Established. Group and plural name the CRD: always fixed.
  if ((old.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')) {
    immutable('spec.scope', crd.spec?.scope, old.spec?.scope);
    immutable('spec.names.kind', crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  immutable('spec.group', crd.spec?.group, old.spec?.group);
  immutable('spec.names.plural', crd.spec?.names?.plural, old.spec?.names?.plural);
  return errs;
}

/** Every stored version must still be in spec.versions (upstream ValidateCustomResourceDefinitionStoredVersions). */
function validateStoredVersions(stored: unknown, versions: string[]): FieldError[] {
  if (!Array.isArray(stored)) return [];
  if (stored.length === 0) return [FieldError.invalid('status.storedVersions', stored, 'must have at least one stored version')];
  return stored.flatMap((v, i) => (versions.includes(v) ? [] : [FieldError.invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions')]));
}

function validateNames(names: any, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, v: unknown, required: boolean) => {
    if (v === undefined || v === '') { if (required) errs.push(FieldError.required(`${p}.${field}`, '')); return; }
    for (const m of isDNS1123Label(String(v))) errs.push(FieldError.invalid(`${p}.${field}`, v, m));
  };
  const kindLike = (field: string, v: unknown, required: boolean) => {
    if (v === undefined || v === '') { if (required) errs.push(FieldError.required(`${p}.${field}`, '')); return; }
    if (isDNS1035Label(String(v).toLowerCase()).length) errs.push(FieldError.invalid(`${p}.${field}`, v, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'));
  };
  label('plural', names.plural, true);
  label('singular', names.singular, true);
  kindLike('kind', names.kind, true);
  kindLike('listKind', names.listKind, true);
  if (names.kind && names.kind === names.listKind) errs.push(FieldError.invalid(`${p}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s: unknown, i: number) => label(`shortNames[${i}]`, s, true));
  (Array.isArray(names.categories) ? names.categories : []).forEach((s: unknown, i: number) => label(`categories[${i}]`, s, true));
  return errs;
}

/** Upstream's structural schema rules (the ones users meet), with its field paths ("properties[spec].type"). */
function validateStructural(s: JSONSchemaProps, p: string, root: boolean, errs: FieldError[] = []): FieldError[] {
  const open = s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields'];
  if (root && s.type !== 'object') errs.push(s.type ? FieldError.invalid(`${p}.type`, s.type, 'must be object at the root') : FieldError.required(`${p}.type`, 'must not be empty at the root'));
  if (!root && !s.type && !open) {
    errs.push(FieldError.required(`${p}.type`, 'must not be empty for specified object fields'));
  }
  if (s.type && !SCHEMA_TYPES.includes(s.type)) errs.push(FieldError.notSupported(`${p}.type`, s.type, SCHEMA_TYPES));
  if (s['x-kubernetes-int-or-string'] && s.type) errs.push(FieldError.invalid(`${p}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (s.type === 'array' && !s.items) errs.push(FieldError.required(`${p}.items`, 'must be specified'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(FieldError.forbidden(`${p}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') errs.push(FieldError.invalid(`${p}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  if (s['x-kubernetes-list-type'] !== undefined) {
    const lt = s['x-kubernetes-list-type'];
    if (!['atomic', 'set', 'map'].includes(lt)) errs.push(FieldError.notSupported(`${p}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
    if (s.type !== 'array') errs.push(FieldError.invalid(`${p}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    if (lt === 'map' && !s['x-kubernetes-list-map-keys']?.length) errs.push(FieldError.required(`${p}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  }
  if (s.pattern !== undefined) {
    try { new RegExp(s.pattern, 'u'); } catch { errs.push(FieldError.invalid(`${p}.pattern`, s.pattern, 'must be a valid regular expression')); }
  }
  if (root && isObject(s.properties?.metadata)) {
    const meta = s.properties!.metadata;
    for (const k of Object.keys(meta.properties ?? {})) {
      if (k !== 'name' && k !== 'generateName') errs.push(FieldError.forbidden(`${p}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (s.default !== undefined && !root) {
    for (const e of validateValue(s, s.default, `${p}.default`)) errs.push(FieldError.invalid(`${p}.default`, s.default, e.detailMessage()));
  }
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    if (!r?.rule) { errs.push(FieldError.required(`${p}.x-kubernetes-validations[${i}].rule`, '')); return; }
    const { error } = compileRule(r.rule);
    if (error) errs.push(FieldError.invalid(`${p}.x-kubernetes-validations[${i}].rule`, r.rule, `compilation failed: ${error}`));
  });
  for (const [k, child] of Object.entries(s.properties ?? {})) if (isObject(child)) validateStructural(child, `${p}.properties[${k}]`, false, errs);
  if (isObject(s.items)) validateStructural(s.items, `${p}.items`, false, errs);
  if (isObject(s.additionalProperties)) validateStructural(s.additionalProperties, `${p}.additionalProperties`, false, errs);
  return errs;
}
