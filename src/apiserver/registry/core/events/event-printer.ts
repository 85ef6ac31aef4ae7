// The Event Table (upstream printEvent), shared by core/v1 and events.k8s.io/v1 events (the latter are
// converted to core's field names first, as upstream prints the internal type for both).
import type { KubeObject } from '../../../../api/object.js';
import type { TableColumn } from '../../types.js';
import { column, nameColumn } from '../../printing.js';
import { translateTimestampSince } from '../../age.js';

export const eventColumns: TableColumn[] = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.', { priority: 1 }),
  column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
  { ...nameColumn(), priority: 1 },
];

/** Cells of one core/v1-shaped Event (Wide). */
export function eventRow(ev: KubeObject, now: Date): unknown[] {
  let first = translateTimestampSince(ev.firstTimestamp, now);
  if (!ev.firstTimestamp) first = translateTimestampSince(ev.eventTime, now);
  let last = translateTimestampSince(ev.lastTimestamp, now);
  if (!ev.lastTimestamp) last = first;
  let count: number = ev.count ?? 0;
  if (ev.series) {
    last = translateTimestampSince(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events have no count in the new API
  }
  const io = ev.involvedObject ?? {};
  const kind = String(io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  const source = instance ? `${component}, ${instance}` : component;
  return [last, ev.type ?? '', ev.reason ?? '', target, io.fieldPath ?? '', source, String(ev.message ?? '').trim(), first, count, ev.metadata.name];
}
