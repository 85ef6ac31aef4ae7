// events (core/v1): legacy-compatible validation (involvedObject.namespace must match), field selectors
// kubectl describe relies on (involvedObject.*), and the LAST SEEN TYPE REASON OBJECT MESSAGE table.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../../api/validation/index.js';
import { eventColumns, eventRow } from './event-printer.js';
import { resources } from '../../../../api/resources.js';

const LIMIT_128 = 128;
const NOTE_LIMIT = 1024;

/**
 * upstream legacyValidateEvent on a core-shaped event. `reportingControllerField` is "reportingComponent"
 * for core/v1 requests and "reportingController" for events.k8s.io.
 */
export function legacyValidateEvent(ev: KubeObject, reportingControllerField: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata.namespace ?? '';
  const ioNs = ev.involvedObject?.namespace ?? '';
  if (!ev.eventTime) {
    if (!ioNs) {
      if (ns !== '' && ns !== 'default') errs.push(FieldError.invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    } else if (ns !== ioNs) {
      errs.push(FieldError.invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    }
  } else {
    if (!ioNs && ns !== 'default' && ns !== 'kube-system') errs.push(FieldError.invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    const rc = ev.reportingComponent ?? '';
    if (!rc) errs.push(FieldError.required(reportingControllerField));
    for (const m of isQualifiedName(rc)) errs.push(FieldError.invalid(reportingControllerField, rc, m));
    const ri = ev.reportingInstance ?? '';
    if (!ri) errs.push(FieldError.required('reportingInstance'));
    if (ri.length > LIMIT_128) errs.push(FieldError.invalid('reportingInstance', '', `can have at most ${LIMIT_128} characters`));
    const action = ev.action ?? '';
    if (!action) errs.push(FieldError.required('action'));
    if (action.length > LIMIT_128) errs.push(FieldError.invalid('action', '', `can have at most ${LIMIT_128} characters`));
    const reason = ev.reason ?? '';
    if (!reason) errs.push(FieldError.required('reason'));
    if (reason.length > LIMIT_128) errs.push(FieldError.invalid('reason', '', `can have at most ${LIMIT_128} characters`));
    if (String(ev.message ?? '').length > NOTE_LIMIT) errs.push(FieldError.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(FieldError.invalid('namespace', ns, m));
  return errs;
}

/** Field selectors on every field of the ObjectReference at `field` (involvedObject, or events.k8s.io's regarding). */
export function objectReferenceSelectors(field: string): Record<string, (o: KubeObject) => string> {
  const keys = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];
  return Object.fromEntries(keys.map((k) => [`${field}.${k}`, (o: KubeObject) => o[field]?.[k] ?? '']));
}

export const events: ResourceDefinition = {
  ...resources.events,
  strategy: {
    allowCreateOnUpdate: true,
    validate: (obj) => legacyValidateEvent(obj, 'reportingComponent'),
    validateUpdate: (obj) => legacyValidateEvent(obj, 'reportingComponent'),
    fieldSelectors: {
      ...objectReferenceSelectors('involvedObject'),
      reason: (o) => o.reason ?? '',
      reportingComponent: (o) => o.reportingComponent ?? '',
      source: (o) => o.source?.component || o.reportingComponent || '',
      type: (o) => o.type ?? '',
    },
    table: { columns: eventColumns, row: eventRow },
  },
};
