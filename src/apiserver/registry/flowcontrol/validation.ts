// Defaults and validation of flowcontrol.apiserver.k8s.io/v1 FlowSchema and PriorityLevelConfiguration, as upstream's
// SetDefaults_* (v1) and pkg/apis/flowcontrol/validation: the mandatory objects (exempt, catch-all) may not take
// any spec but their fixed one.
import type { KubeObject } from '../../../api/object.js';
import { FieldError } from '../../../api/errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../api/validation/names.js';
import { deepEqual } from '../../../api/json-equal.js';
import { mandatoryFlowSchemaByName, mandatoryPriorityLevelByName } from '../../flowcontrol/bootstrap.js';

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

export function defaultFlowSchema(fs: KubeObject): void {
  if (!isObj(fs.spec)) return;
  if (!fs.spec.matchingPrecedence) fs.spec.matchingPrecedence = 1000;
}

export function defaultPriorityLevel(pl: KubeObject): void {
  const spec = pl.spec;
  if (!isObj(spec)) return;
  if (isObj(spec.limited)) {
    spec.limited.nominalConcurrencyShares ??= 30;
    spec.limited.lendablePercent ??= 0;
    const q = spec.limited.limitResponse?.queuing;
    if (isObj(q)) {
      if (!q.handSize) q.handSize = 8;
      if (!q.queues) q.queues = 64;
      if (!q.queueLengthLimit) q.queueLengthLimit = 50;
    }
  }
  if (isObj(spec.exempt)) {
    spec.exempt.nominalConcurrencyShares ??= 0;
    spec.exempt.lendablePercent ??= 0;
  }
}

const SUPPORTED_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const hasWildcard = (xs: string[]) => xs.includes('*');
const list = (v: unknown): string[] => (Array.isArray(v) ? v : []);

function validateVerbs(verbs: string[], path: string, errs: FieldError[]): void {
  if (!verbs.length) errs.push(FieldError.required(`${path}.verbs`, 'verbs must contain at least one value'));
  else if (hasWildcard(verbs)) { if (verbs.length > 1) errs.push(FieldError.invalid(`${path}.verbs`, verbs, "if '*' is present, must not specify other verbs")); }
  else if (!verbs.every((v) => SUPPORTED_VERBS.includes(v))) errs.push(FieldError.notSupported(`${path}.verbs`, verbs, SUPPORTED_VERBS));
}

/** upstream's ValidateNonResourceURLPath. */
function nonResourceURLError(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p === '/') return undefined;
  if (!p.startsWith('/')) return 'must start with slash';
  if (p.includes(' ')) return 'must not contain white-space';
  if (p.includes('//')) return 'must not contain double slash';
  const stars = p.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !p.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function validateSubject(s: any, path: string, errs: FieldError[]): void {
  const kinds = ['Group', 'ServiceAccount', 'User'];
  const forbidOthers = (keep: string) => {
    if (keep !== 'user' && s.user != null) errs.push(FieldError.forbidden(`${path}.user`, "user is forbidden when subject kind is not 'User'"));
    if (keep !== 'group' && s.group != null) errs.push(FieldError.forbidden(`${path}.group`, "group is forbidden when subject kind is not 'Group'"));
    if (keep !== 'serviceAccount' && s.serviceAccount != null) errs.push(FieldError.forbidden(`${path}.serviceAccount`, "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"));
  };
  switch (s?.kind) {
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!isObj(sa)) errs.push(FieldError.required(`${path}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        if (!sa.name) errs.push(FieldError.required(`${path}.serviceAccount.name`, ''));
        else if (sa.name !== '*') for (const m of isDNS1123Subdomain(sa.name)) errs.push(FieldError.invalid(`${path}.serviceAccount.name`, sa.name, m));
        if (!sa.namespace) errs.push(FieldError.required(`${path}.serviceAccount.namespace`, 'must specify namespace for service account'));
        else for (const m of isDNS1123Label(sa.namespace)) errs.push(FieldError.invalid(`${path}.serviceAccount.namespace`, sa.namespace, m));
      }
      forbidOthers('serviceAccount');
      break;
    }
    case 'User':
      if (!isObj(s.user)) errs.push(FieldError.required(`${path}.user`, "user is required when subject kind is 'User'"));
      else if (!s.user.name) errs.push(FieldError.required(`${path}.user.name`, ''));
      forbidOthers('user');
      break;
    case 'Group':
      if (!isObj(s.group)) errs.push(FieldError.required(`${path}.group`, "group is required when subject kind is 'Group'"));
      else if (!s.group.name) errs.push(FieldError.required(`${path}.group.name`, ''));
      forbidOthers('group');
      break;
    default: errs.push(FieldError.notSupported(`${path}.kind`, s?.kind ?? '', kinds));
  }
}

function validateRule(rule: any, path: string, errs: FieldError[]): void {
  const subjects = list(rule?.subjects);
  if (!subjects.length) errs.push(FieldError.required(`${path}.subjects`, 'subjects must contain at least one value'));
  subjects.forEach((s, i) => validateSubject(s, `${path}.subjects[${i}]`, errs));
  const rrs = list(rule?.resourceRules), nrrs = list(rule?.nonResourceRules);
  if (!rrs.length && !nrrs.length) errs.push(FieldError.required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  rrs.forEach((r: any, i) => {
    const p = `${path}.resourceRules[${i}]`;
    validateVerbs(list(r?.verbs), p, errs);
    const groups = list(r?.apiGroups), resources = list(r?.resources), namespaces = list(r?.namespaces);
    if (!groups.length) errs.push(FieldError.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    else if (groups.length > 1 && hasWildcard(groups)) errs.push(FieldError.invalid(`${p}.apiGroups`, groups, "if '*' is present, must not specify other api groups"));
    if (!resources.length) errs.push(FieldError.required(`${p}.resources`, 'resource rules must supply at least one resource'));
    else if (resources.length > 1 && hasWildcard(resources)) errs.push(FieldError.invalid(`${p}.resources`, resources, "if '*' is present, must not specify other resources"));
    if (!namespaces.length && !r?.clusterScope) errs.push(FieldError.required(`${p}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
    else if (hasWildcard(namespaces)) { if (namespaces.length > 1) errs.push(FieldError.invalid(`${p}.namespaces`, namespaces, "if '*' is present, must not specify other namespaces")); }
    else namespaces.forEach((ns, j) => { for (const m of isDNS1123Label(ns)) errs.push(FieldError.invalid(`${p}.namespaces[${j}]`, ns, "each member of this list must be '*' or a DNS-1123 label; " + m)); });
  });
  nrrs.forEach((r: any, i) => {
    const p = `${path}.nonResourceRules[${i}]`;
    validateVerbs(list(r?.verbs), p, errs);
    const urls = list(r?.nonResourceURLs);
    if (!urls.length) errs.push(FieldError.required(`${p}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
    else if (hasWildcard(urls)) { if (urls.length > 1) errs.push(FieldError.invalid(`${p}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs")); }
    else urls.forEach((u, j) => { const m = nonResourceURLError(u); if (m) errs.push(FieldError.invalid(`${p}.nonResourceURLs[${j}]`, u, m)); });
  });
}

function validateConditions(status: any, errs: FieldError[]): void {
  const seen = new Set<string>();
  list(status?.conditions).forEach((c: any, i) => {
    if (seen.has(c?.type)) errs.push(FieldError.duplicate(`status.conditions[${i}].type`, c?.type));
    seen.add(c?.type);
    if (!c?.type) errs.push(FieldError.required(`status.conditions[${i}].type`, 'must not be empty'));
  });
}

export function validateFlowSchema(fs: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = fs.metadata.name ?? '';
  const spec = isObj(fs.spec) ? fs.spec : {};
  const mp = spec.matchingPrecedence;
  if (typeof mp !== 'number' || mp <= 0) errs.push(FieldError.invalid('spec.matchingPrecedence', mp, 'must be a positive value'));
  else if (mp > 10000) errs.push(FieldError.invalid('spec.matchingPrecedence', mp, 'must not be greater than 10000'));
  else if (mp === 1 && name !== 'exempt') errs.push(FieldError.invalid('spec.matchingPrecedence', mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  if (spec.distinguisherMethod != null && !['ByNamespace', 'ByUser'].includes(spec.distinguisherMethod?.type)) {
    errs.push(FieldError.notSupported('spec.distinguisherMethod.type', spec.distinguisherMethod?.type ?? '', ['ByNamespace', 'ByUser']));
  }
  const plName = spec.priorityLevelConfiguration?.name;
  if (plName) for (const m of isDNS1123Subdomain(plName)) errs.push(FieldError.invalid('spec.priorityLevelConfiguration.name', plName, m));
  else errs.push(FieldError.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  list(spec.rules).forEach((r, i) => validateRule(r, `spec.rules[${i}]`, errs));
  const mandatory = mandatoryFlowSchemaByName.get(name);
  if (mandatory && !deepEqual(fs.spec, mandatory.spec)) errs.push(FieldError.invalid('spec', fs.spec, `spec of '${name}' must equal the fixed value`));
  validateConditions(fs.status, errs);
  return errs;
}

/** shufflesharding.RequiredEntropyBits: bits of hash needed to deal a hand from a deck. */
export const requiredEntropyBits = (deckSize: number, handSize: number) => Math.ceil(Math.log2(deckSize) * handSize);
const MAX_HASH_BITS = 60;

export function validatePriorityLevel(pl: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = pl.metadata.name ?? '';
  const spec = isObj(pl.spec) ? pl.spec : {};
  if ((name === 'exempt') !== (spec.type === 'Exempt')) errs.push(FieldError.invalid('spec.type', spec.type, "type must be 'Exempt' if and only if name is 'exempt'"));
  const percent = (v: unknown, path: string) => {
    if (v != null && !(typeof v === 'number' && v >= 0 && v <= 100)) errs.push(FieldError.invalid(path, v, 'must be between 0 and 100, inclusive'));
  };
  switch (spec.type) {
    case 'Exempt':
      if (spec.limited != null) errs.push(FieldError.forbidden('spec.limited', 'must be nil if the type is not Limited'));
      if (isObj(spec.exempt)) {
        const ncs = spec.exempt.nominalConcurrencyShares;
        if (ncs != null && !(typeof ncs === 'number' && ncs >= 0)) errs.push(FieldError.invalid('spec.exempt.nominalConcurrencyShares', ncs, 'must be a non-negative integer'));
        percent(spec.exempt.lendablePercent, 'spec.exempt.lendablePercent');
      }
      break;
    case 'Limited': {
      if (spec.exempt != null) errs.push(FieldError.forbidden('spec.exempt', 'must be nil if the type is Limited'));
      const l = spec.limited;
      if (!isObj(l)) { errs.push(FieldError.required('spec.limited', 'must not be empty when type is Limited')); break; }
      const ncs = l.nominalConcurrencyShares;
      if (!(typeof ncs === 'number' && ncs >= 0)) errs.push(FieldError.invalid('spec.limited.nominalConcurrencyShares', ncs, 'must be a non-negative integer'));
      percent(l.lendablePercent, 'spec.limited.lendablePercent');
      if (l.borrowingLimitPercent != null && !(typeof l.borrowingLimitPercent === 'number' && l.borrowingLimitPercent >= 0)) {
        errs.push(FieldError.invalid('spec.limited.borrowingLimitPercent', l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
      }
      const lr = isObj(l.limitResponse) ? l.limitResponse : {};
      if (lr.type === 'Reject') {
        if (lr.queuing != null) errs.push(FieldError.forbidden('spec.limited.limitResponse.queuing', 'must be nil if limited.limitResponse.type is not Limited'));
      } else if (lr.type === 'Queue') {
        const q = lr.queuing;
        if (!isObj(q)) errs.push(FieldError.required('spec.limited.limitResponse.queuing', 'must not be empty if limited.limitResponse.type is Limited'));
        else {
          const p = 'spec.limited.limitResponse.queuing';
          if (!(q.queueLengthLimit > 0)) errs.push(FieldError.invalid(`${p}.queueLengthLimit`, q.queueLengthLimit, 'must be positive'));
          if (!(q.queues > 0)) errs.push(FieldError.invalid(`${p}.queues`, q.queues, 'must be positive'));
          else if (q.queues > 10_000_000) errs.push(FieldError.invalid(`${p}.queues`, q.queues, 'must not be greater than 10000000'));
          if (!(q.handSize > 0)) errs.push(FieldError.invalid(`${p}.handSize`, q.handSize, 'must be positive'));
          else if (q.handSize > q.queues) errs.push(FieldError.invalid(`${p}.handSize`, q.handSize, `should not be greater than queues (${q.queues})`));
          else if (requiredEntropyBits(q.queues, q.handSize) > MAX_HASH_BITS) {
            errs.push(FieldError.invalid(`${p}.handSize`, q.handSize, `required entropy bits of deckSize ${q.queues} and handSize ${q.handSize} should not be greater than ${MAX_HASH_BITS}`));
          }
        }
      } else errs.push(FieldError.notSupported('spec.limited.limitResponse.type', lr.type ?? '', ['Queue', 'Reject']));
      break;
    }
    default: errs.push(FieldError.notSupported('spec.type', spec.type ?? '', ['Exempt', 'Limited']));
  }
  const mandatory = mandatoryPriorityLevelByName.get(name);
  if (mandatory && !deepEqual(pl.spec, mandatory.spec)) errs.push(FieldError.invalid('spec', pl.spec, `spec of '${name}' must equal the fixed value`));
  validateConditions(pl.status, errs);
  return errs;
}
