// The list page of one kind: every object in the chosen namespace (or all), live, filtered by name as you type.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { KubeObject } from '../api';
import { Link } from '../router';
import { kindPlural, objectHref, type ResourceType } from '../resources';
import { useList } from '../watch';
import { useNamespace } from '../namespace';
import { VirtualTable, type VirtualColumn } from '../components/virtual-table';
import { ErrorNote } from '../components/common';

export function ListPage(props: { resource: ResourceType }) {
  const r = props.resource;
  const [ns] = useNamespace();
  const [selector, setSelector] = useState('');
  const [applied, setApplied] = useState('');
  const { items, synced, error } = useList(r, { namespace: r.namespaced ? ns || undefined : undefined, labelSelector: applied || undefined });
  const [filter, setFilter] = useState('');
  // Ages move on without any change to the objects: redraw the rows in view now and then (no API call).
  const [, setNow] = useState(0);
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), 10_000); return () => clearInterval(t); }, []);
  const rows = useMemo(() => (filter ? items.filter((o) => o.metadata.name.includes(filter)) : items), [items, filter]);
  const columns: VirtualColumn<KubeObject>[] = [
    { title: 'Name', width: 'minmax(12rem, 2fr)', cell: (o) => <Link href={objectHref(r, o.metadata.namespace, o.metadata.name)}>{o.metadata.name}</Link> },
    ...(r.namespaced && !ns ? [{ title: 'Namespace', width: '9rem', cell: (o: KubeObject) => o.metadata.namespace ?? '' }] : []),
    ...r.columns.map((c) => ({ title: c.title, width: c.width, cell: (o: KubeObject) => <span class={`v-${c.title.toLowerCase()}`}>{String(c.value(o))}</span> })),
  ];
  return (
    <section>
      <header class="page-head">
        <h2>{kindPlural(r)} <span class="count" data-testid="count">{synced ? rows.length : '…'}</span></h2>
        <input type="search" placeholder="Filter by name" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <form onSubmit={(e) => { e.preventDefault(); setApplied(selector.trim()); }}>
          <input type="search" name="labelSelector" placeholder="Label selector, e.g. app=web (Enter)" value={selector}
            onInput={(e) => { const v = (e.target as HTMLInputElement).value; setSelector(v); if (!v) setApplied(''); }} />
        </form>
      </header>
      <ErrorNote error={error} />
      <VirtualTable testId={`list-${r.plural}`} rows={rows} columns={columns} rowKey={(o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`}
        empty={synced ? `No ${r.plural}${r.namespaced && ns ? ` in ${ns}` : ''}.` : 'Loading…'} />
    </section>
  );
}
