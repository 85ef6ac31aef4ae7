// events.k8s.io/v1 Event: the same objects as core/v1 events under newer field names (regarding, note,
// deprecated*). Validation is upstream's strict one for this API; the table is core's, after conversion.
import type { KubeObject } from '../../../../api/object.js';
import type { ResourceDefinition } from '../../types.js';
import { FieldError } from '../../../../api/errors.js';
import { legacyValidateEvent, objectReferenceSelectors } from '../../core/events/strategy.js';
import { eventColumns, eventRow } from '../../core/events/event-printer.js';
import { resources } from '../../../../api/resources.js';

/**
 * events.k8s.io/v1 Event → core/v1 Event (field renames only). Zero values are written as upstream's Go structs
 * serialize them (source {}, timestamps null, reportingComponent/reportingInstance ""), so a core/v1 read of an
 * event created through events.k8s.io looks like any other core event.
 */
export function eventsV1ToCore(ev: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: 'v1', kind: 'Event', metadata: ev.metadata,
    involvedObject: ev.regarding ?? {}, reason: ev.reason, message: ev.note,
    source: ev.deprecatedSource ?? {}, firstTimestamp: ev.deprecatedFirstTimestamp ?? null, lastTimestamp: ev.deprecatedLastTimestamp ?? null,
    count: ev.deprecatedCount, type: ev.type,
    eventTime: ev.eventTime ?? null, series: ev.series, action: ev.action, related: ev.related,
    reportingComponent: ev.reportingController ?? '', reportingInstance: ev.reportingInstance ?? '',
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** core/v1 Event → events.k8s.io/v1 Event (field renames only; zero values as upstream serializes them). */
export function coreToEventsV1(ev: KubeObject): KubeObject {
  const out: KubeObject = {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: ev.metadata,
    eventTime: ev.eventTime ?? null, series: ev.series, reportingController: ev.reportingComponent || undefined,
    reportingInstance: ev.reportingInstance || undefined,
    action: ev.action, reason: ev.reason, regarding: ev.involvedObject ?? {}, related: ev.related, note: ev.message, type: ev.type,
    deprecatedSource: ev.source ?? {}, deprecatedFirstTimestamp: ev.firstTimestamp ?? null, deprecatedLastTimestamp: ev.lastTimestamp ?? null,
    deprecatedCount: ev.count || undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** upstream ValidateEventCreate for events.k8s.io/v1 requests. Paths use the internal (core) field names. */
function validateEventsV1(ev: KubeObject): FieldError[] {
  const core = eventsV1ToCore(ev);
  const errs = legacyValidateEvent(core, 'reportingController');
  if (core.series) {
    if ((core.series.count ?? 0) < 2) errs.push(FieldError.invalid('series.count', '', 'should be at least 2'));
    if (!core.series.lastObservedTime) errs.push(FieldError.required('series.lastObservedTime'));
  }
  if (!core.eventTime) errs.push(FieldError.required('eventTime'));
  if (core.type !== 'Normal' && core.type !== 'Warning') errs.push(FieldError.invalid('type', '', `has invalid value: ${core.type ?? ''}`));
  if (core.firstTimestamp) errs.push(FieldError.invalid('firstTimestamp', '', 'needs to be unset'));
  if (core.lastTimestamp) errs.push(FieldError.invalid('lastTimestamp', '', 'needs to be unset'));
  if (core.count) errs.push(FieldError.invalid('count', '', 'needs to be unset'));
  if (core.source?.component || core.source?.host) errs.push(FieldError.invalid('source', '', 'needs to be unset'));
  return errs;
}

export const eventsV1: ResourceDefinition = {
  ...resources.eventsV1,
  // One storage with core/v1 events, as upstream: an Event written through either API is visible through both.
  storage: { group: '', resource: 'events', toStorage: eventsV1ToCore, fromStorage: coreToEventsV1 },
  strategy: {
    allowCreateOnUpdate: true,
    validate: (obj) => validateEventsV1(obj),
    validateUpdate: (obj) => legacyValidateEvent(eventsV1ToCore(obj), 'reportingController'),
    fieldSelectors: {
      ...objectReferenceSelectors('regarding'),
      reason: (o) => o.reason ?? '',
      reportingController: (o) => o.reportingController ?? '',
      type: (o) => o.type ?? '',
    },
    table: { columns: eventColumns, row: (o, now) => eventRow(eventsV1ToCore(o), now) },
  },
};
