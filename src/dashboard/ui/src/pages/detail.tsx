// The page of one object: a summary (metadata, status, what kind it is), related objects (owners, what it owns, pods
// of a workload or a service, endpoints), its events, its YAML to read and edit, and the actions that fit its kind.
// Everything on it is live: the object itself comes from a watch of its name.
import { useMemo, useState } from 'preact/hooks';
import type { KubeObject } from '../api';
import { Link, detailTabsFor, navigate } from '../router';
import { age, byKind, byPlural, objectHref, podReady, podStatus, resourcePath, type ResourceType } from '../resources';
import { useList } from '../watch';
import { Badge, ErrorNote, toneOf } from '../components/common';
import { Actions } from '../components/actions';
import { YamlTab } from '../components/yaml-tab';
import { SecretData, maskedAnnotations } from '../components/secret-data';

export function selectorString(sel: Record<string, string> | undefined): string {
  return Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}

export function DetailPage(props: { resource: ResourceType; namespace?: string; name: string; tab?: string }) {
  const r = props.resource;
  const { items, synced, error } = useList(r, { namespace: props.namespace, fieldSelector: `metadata.name=${props.name}` });
  const found = items[0];
  // Watch events of one kind's list may lack kind (list items do): the pages rely on it.
  const obj = found && !found.kind ? { ...found, kind: r.kind } : found;
  const tab = props.tab ?? 'overview';
  const extra = detailTabsFor(r.kind);
  const tabs: Array<[string, string]> = [['overview', 'Overview'], ['yaml', 'YAML'], ['events', 'Events'], ...extra.map((t) => [t.id, t.label] as [string, string])];
  const base = objectHref(r, props.namespace, props.name);
  return (
    <section>
      <header class="page-head">
        <h2><Link href={`/${r.plural}`} class="kind">{r.kind}</Link> {props.name}{props.namespace ? <span class="muted"> · {props.namespace}</span> : null}</h2>
        {obj && <Actions resource={r} obj={obj} onDeleted={() => navigate(`/${r.plural}`)} />}
      </header>
      <ErrorNote error={error} />
      {synced && !obj && <p class="warning" role="alert" data-testid="gone">This {r.kind} does not exist (any more).</p>}
      <nav class="tabs">
        {tabs.map(([id, label]) => <Link key={id} href={id === 'overview' ? base : `${base}?tab=${id}`} class={tab === id ? 'active' : ''}>{label}</Link>)}
      </nav>
      {obj && tab === 'overview' && <Overview resource={r} obj={obj} />}
      {obj && tab === 'yaml' && <YamlTab resource={r} obj={obj} />}
      {obj && tab === 'events' && <Events obj={obj} />}
      {obj && extra.find((t) => t.id === tab)?.render(obj)}
    </section>
  );
}

/** Labels or annotations; a long value (kubectl's last-applied copy) shows its start until clicked. */
function KeyValues(props: { map?: Record<string, string> }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const entries = Object.entries(props.map ?? {});
  if (!entries.length) return <span class="muted">none</span>;
  return (
    <span class="kvs">{entries.map(([k, v]) => {
      const long = v.length > 120 && !open.has(k);
      return <code key={k} class="kv" title={long ? 'click to show all' : undefined} style={long ? { cursor: 'pointer' } : undefined}
        onClick={long ? () => setOpen(new Set([...open, k])) : undefined}>{k}={long ? `${v.slice(0, 100)}…` : v}</code>;
    })}</span>
  );
}

function Overview(props: { resource: ResourceType; obj: KubeObject }) {
  const { obj, resource: r } = props;
  const m = obj.metadata;
  return (
    <div class="detail">
      <table class="props">
        <tbody>
          <tr><th>Created</th><td>{m.creationTimestamp} ({age(m.creationTimestamp)} ago)</td></tr>
          <tr><th>Labels</th><td><KeyValues map={m.labels} /></td></tr>
          <tr><th>Annotations</th><td><KeyValues map={maskedAnnotations(obj)} /></td></tr>
          <tr><th>UID</th><td><code>{m.uid}</code></td></tr>
          <Summary obj={obj} />
        </tbody>
      </table>
      {r.kind === 'Secret' && <SecretData secret={obj} />}
      {r.kind === 'ConfigMap' && <ConfigMapData cm={obj} />}
      {r.kind === 'Pod' && <Containers pod={obj} />}
      <Conditions obj={obj} />
      <Related resource={r} obj={obj} />
    </div>
  );
}

function Summary(props: { obj: KubeObject }) {
  const o = props.obj;
  const rows: Array<[string, string]> = [];
  switch (o.kind) {
    case 'Pod': rows.push(['Status', podStatus(o)], ['Ready', podReady(o)], ['Node', o.spec?.nodeName ?? ''], ['Pod IP', o.status?.podIP ?? ''], ['Service account', o.spec?.serviceAccountName ?? 'default']); break;
    case 'Deployment': case 'StatefulSet': case 'ReplicaSet':
      rows.push(['Replicas', `${o.status?.readyReplicas ?? 0} ready / ${o.status?.replicas ?? 0} current / ${o.spec?.replicas ?? 0} desired`], ['Selector', selectorString(o.spec?.selector?.matchLabels)]);
      if (o.metadata.annotations?.['deployment.kubernetes.io/revision']) rows.push(['Revision', o.metadata.annotations['deployment.kubernetes.io/revision']]);
      break;
    case 'Service': rows.push(['Type', o.spec?.type ?? 'ClusterIP'], ['Cluster IP', o.spec?.clusterIP ?? ''], ['Ports', (o.spec?.ports ?? []).map((p: any) => `${p.name ? p.name + ' ' : ''}${p.port}→${p.targetPort ?? p.port}${p.nodePort ? ` (node ${p.nodePort})` : ''}/${p.protocol ?? 'TCP'}`).join(', ')], ['Selector', selectorString(o.spec?.selector)]); break;
    case 'Node': rows.push(['Addresses', (o.status?.addresses ?? []).map((a: any) => `${a.type} ${a.address}`).join(', ')], ['Capacity', Object.entries(o.status?.capacity ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')], ['Pod CIDR', o.spec?.podCIDR ?? '']); break;
  }
  return <>{rows.map(([k, v]) => <tr key={k}><th>{k}</th><td data-testid={`prop-${k.toLowerCase().replace(/\s/g, '-')}`}>{v}</td></tr>)}</>;
}

function Conditions(props: { obj: KubeObject }) {
  const cs: any[] = props.obj.status?.conditions ?? [];
  if (!cs.length) return null;
  return (
    <>
      <h3>Conditions</h3>
      <table class="plain">
        <thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr></thead>
        <tbody>{cs.map((c) => <tr key={c.type}><td>{c.type}</td><td><Badge tone={c.status === 'True' ? 'ok' : 'neutral'}>{c.status}</Badge></td><td>{c.reason}</td><td>{c.message}</td><td>{age(c.lastTransitionTime)}</td></tr>)}</tbody>
      </table>
    </>
  );
}

function Containers(props: { pod: KubeObject }) {
  const statuses = new Map<string, any>((props.pod.status?.containerStatuses ?? []).map((c: any) => [c.name, c]));
  return (
    <>
      <h3>Containers</h3>
      <table class="plain">
        <thead><tr><th>Name</th><th>Image</th><th>Ready</th><th>Restarts</th><th>State</th></tr></thead>
        <tbody>{(props.pod.spec?.containers ?? []).map((c: any) => {
          const s = statuses.get(c.name);
          const state = s?.state ? Object.keys(s.state)[0] + (s.state.waiting?.reason ? ` (${s.state.waiting.reason})` : s.state.terminated?.reason ? ` (${s.state.terminated.reason})` : '') : 'unknown';
          return <tr key={c.name}><td>{c.name}</td><td><code>{c.image}</code></td><td>{String(!!s?.ready)}</td><td>{s?.restartCount ?? 0}</td><td>{state}</td></tr>;
        })}</tbody>
      </table>
    </>
  );
}

function ConfigMapData(props: { cm: KubeObject }) {
  const entries = Object.entries(props.cm.data ?? {}) as Array<[string, string]>;
  return (
    <>
      <h3>Data</h3>
      {entries.length === 0 ? <p class="muted">No data.</p> : entries.map(([k, v]) => <div key={k} class="datum"><div class="datum-key">{k}</div><pre>{v}</pre></div>)}
    </>
  );
}

function ObjectLinks(props: { title: string; resource: ResourceType | undefined; items: KubeObject[]; testId?: string; extra?(o: KubeObject): string }) {
  if (!props.resource) return null;
  const r = props.resource;
  return (
    <div class="related" data-testid={props.testId} data-count={props.items.length}>
      <h4>{props.title} <span class="count">{props.items.length}</span></h4>
      {props.items.length === 0 ? <p class="muted">none</p> : (
        <ul>{props.items.map((o) => (
          <li key={o.metadata.uid ?? o.metadata.name}>
            <Link href={objectHref(r, o.metadata.namespace, o.metadata.name)}>{o.metadata.name}</Link>
            {props.extra && <> <Badge tone={toneOf(props.extra(o))}>{props.extra(o)}</Badge></>}
          </li>))}</ul>
      )}
    </div>
  );
}

/** Owners, owned objects, and the objects a kind points at by selector or name. */
function Related(props: { resource: ResourceType; obj: KubeObject }) {
  const { obj } = props;
  const ns = obj.metadata.namespace;
  const kind = obj.kind ?? props.resource.kind;
  const pods = byPlural.get('pods')!;
  const podSelector = kind === 'Service' ? selectorString(obj.spec?.selector)
    : ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'].includes(kind) ? selectorString(obj.spec?.selector?.matchLabels) : '';
  const wantsPods = !!podSelector || kind === 'Node';
  const podList = useList(wantsPods ? pods : null, kind === 'Node' ? { fieldSelector: `spec.nodeName=${obj.metadata.name}` } : { namespace: ns, labelSelector: podSelector });
  const ownedKind = kind === 'Deployment' ? 'ReplicaSet' : kind === 'CronJob' ? 'Job' : undefined;
  const ownedType = ownedKind ? byKind.get(ownedKind) : undefined;
  const ownedList = useList(ownedType ?? null, { namespace: ns });
  const owned = useMemo(() => ownedList.items.filter((o) => o.metadata.ownerReferences?.some((ref) => ref.uid === obj.metadata.uid)), [ownedList.version, obj.metadata.uid]);
  const endpoints = useList(kind === 'Service' ? { path: resourcePath(byPlural.get('endpoints')!, ns) } : null, { fieldSelector: `metadata.name=${obj.metadata.name}` });
  const owners = obj.metadata.ownerReferences ?? [];
  const podItems = kind === 'Deployment' || kind === 'Service' || kind === 'Node' ? podList.items
    : podList.items.filter((p) => p.metadata.ownerReferences?.some((ref) => ref.uid === obj.metadata.uid));
  const hpaTarget = kind === 'HorizontalPodAutoscaler' ? obj.spec?.scaleTargetRef : undefined;
  if (!owners.length && !(kind === 'Pod' && obj.spec?.nodeName) && !hpaTarget && !ownedType && !wantsPods && kind !== 'Service') return null;
  return (
    <div class="relateds">
      <h3>Related</h3>
      {owners.length > 0 && (
        <div class="related"><h4>Owned by</h4><ul>{owners.map((o) => {
          const t = byKind.get(o.kind);
          return <li key={o.uid}>{o.kind} {t ? <Link href={objectHref(t, ns, o.name)}>{o.name}</Link> : o.name}</li>;
        })}</ul></div>
      )}
      {kind === 'Pod' && obj.spec?.nodeName && <div class="related"><h4>Node</h4><Link href={objectHref(byPlural.get('nodes')!, undefined, obj.spec.nodeName)}>{obj.spec.nodeName}</Link></div>}
      {hpaTarget && byKind.get(hpaTarget.kind) && <div class="related"><h4>Scales</h4><Link href={objectHref(byKind.get(hpaTarget.kind)!, ns, hpaTarget.name)}>{hpaTarget.kind}/{hpaTarget.name}</Link></div>}
      {ownedType && <ObjectLinks title={`${ownedKind}s`} resource={ownedType} items={owned} testId="related-owned"
        extra={ownedKind === 'ReplicaSet' ? (o) => `revision ${o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '?'}, ${o.status?.replicas ?? 0} pods` : undefined} />}
      {wantsPods && <ObjectLinks title="Pods" resource={pods} items={podItems} testId="related-pods" extra={podStatus} />}
      {kind === 'Service' && <ObjectLinks title="Endpoints" resource={byPlural.get('endpoints')} items={endpoints.items} testId="related-endpoints"
        extra={(e) => String((e.subsets ?? []).reduce((a: number, s: any) => a + (s.addresses ?? []).length, 0)) + ' addresses'} />}
    </div>
  );
}

function Events(props: { obj: KubeObject }) {
  const o = props.obj;
  // As kubectl describe: by kind and name (and namespace); a Node's events name the node, not its uid, and may be in
  // any namespace.
  const events = useList(byPlural.get('events')!, {
    namespace: o.metadata.namespace,
    fieldSelector: `involvedObject.kind=${o.kind},involvedObject.name=${o.metadata.name}${o.metadata.namespace ? `,involvedObject.namespace=${o.metadata.namespace}` : ''}`,
  });
  const sorted = [...events.items].sort((a, b) => Date.parse(b.lastTimestamp ?? b.eventTime ?? b.metadata.creationTimestamp ?? 0) - Date.parse(a.lastTimestamp ?? a.eventTime ?? a.metadata.creationTimestamp ?? 0));
  return (
    <div data-testid="events">
      <ErrorNote error={events.error} />
      {sorted.length === 0 ? <p class="muted">{events.synced ? 'No events.' : 'Loading…'}</p> : (
        <table class="plain">
          <thead><tr><th>Type</th><th>Reason</th><th>Age</th><th>From</th><th>Message</th></tr></thead>
          <tbody>{sorted.map((e) => <tr key={e.metadata.uid}><td><Badge tone={e.type === 'Warning' ? 'bad' : 'ok'}>{e.type}</Badge></td><td>{e.reason}</td>
            <td>{age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp)}{(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}</td>
            <td>{e.source?.component ?? e.reportingComponent ?? ''}</td><td>{e.message}</td></tr>)}</tbody>
        </table>
      )}
    </div>
  );
}
