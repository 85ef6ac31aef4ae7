// The cluster at a glance: nodes, workloads, services and config, counted live from watches.
import type { KubeObject } from '../api';
import { Link } from '../router';
import { byPlural, nodeReady, podStatus, age } from '../resources';
import { useList } from '../watch';
import { useNamespace } from '../namespace';
import { Badge, ErrorNote, toneOf } from '../components/common';

function Tile(props: { plural: string; label: string; total: number; synced: boolean; parts?: Array<[string, number]> }) {
  return (
    <Link class="tile" href={`/${props.plural}`} data-testid={`tile-${props.plural}`}>
      <div class="tile-n">{props.synced ? props.total : '…'}</div>
      <div class="tile-label">{props.label}</div>
      <div class="tile-parts">{(props.parts ?? []).filter(([, n]) => n > 0).map(([k, n]) => <Badge key={k} tone={toneOf(k)}>{n} {k}</Badge>)}</div>
    </Link>
  );
}

function count(items: KubeObject[], f: (o: KubeObject) => string): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const o of items) m.set(f(o), (m.get(f(o)) ?? 0) + 1);
  return [...m.entries()].sort();
}

export function OverviewPage() {
  const [ns] = useNamespace();
  const o = { namespace: ns || undefined };
  const nodes = useList(byPlural.get('nodes')!);
  const pods = useList(byPlural.get('pods')!, o);
  const deployments = useList(byPlural.get('deployments')!, o);
  const statefulsets = useList(byPlural.get('statefulsets')!, o);
  const daemonsets = useList(byPlural.get('daemonsets')!, o);
  const jobs = useList(byPlural.get('jobs')!, o);
  const services = useList(byPlural.get('services')!, o);
  const ingresses = useList(byPlural.get('ingresses')!, o);
  const configmaps = useList(byPlural.get('configmaps')!, o);
  const secrets = useList(byPlural.get('secrets')!, o);
  const events = useList(byPlural.get('events')!, { ...o, fieldSelector: 'type=Warning' });
  const warnings = [...events.items].sort((a, b) => Date.parse(b.lastTimestamp ?? b.metadata.creationTimestamp ?? 0) - Date.parse(a.lastTimestamp ?? a.metadata.creationTimestamp ?? 0)).slice(0, 8);
  const available = (d: KubeObject) => ((d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 0) ? 'Ready' : 'Progressing');
  return (
    <section>
      <header class="page-head"><h2>Overview{ns ? ` · ${ns}` : ''}</h2></header>
      <ErrorNote error={nodes.error ?? pods.error} />
      <h3 class="group">Nodes</h3>
      <div class="tiles">
        <Tile plural="nodes" label="Nodes" total={nodes.items.length} synced={nodes.synced} parts={count(nodes.items, (n) => (nodeReady(n) ? 'Ready' : 'NotReady'))} />
      </div>
      <h3 class="group">Workloads</h3>
      <div class="tiles">
        <Tile plural="pods" label="Pods" total={pods.items.length} synced={pods.synced} parts={count(pods.items, podStatus)} />
        <Tile plural="deployments" label="Deployments" total={deployments.items.length} synced={deployments.synced} parts={count(deployments.items, available)} />
        <Tile plural="statefulsets" label="StatefulSets" total={statefulsets.items.length} synced={statefulsets.synced} />
        <Tile plural="daemonsets" label="DaemonSets" total={daemonsets.items.length} synced={daemonsets.synced} />
        <Tile plural="jobs" label="Jobs" total={jobs.items.length} synced={jobs.synced} />
      </div>
      <h3 class="group">Services</h3>
      <div class="tiles">
        <Tile plural="services" label="Services" total={services.items.length} synced={services.synced} parts={count(services.items, (s) => s.spec?.type ?? 'ClusterIP')} />
        <Tile plural="ingresses" label="Ingresses" total={ingresses.items.length} synced={ingresses.synced} />
      </div>
      <h3 class="group">Config</h3>
      <div class="tiles">
        <Tile plural="configmaps" label="ConfigMaps" total={configmaps.items.length} synced={configmaps.synced} />
        <Tile plural="secrets" label="Secrets" total={secrets.items.length} synced={secrets.synced} />
      </div>
      <h3 class="group">Recent warnings</h3>
      {warnings.length === 0 ? <p class="muted">No warning events.</p> : (
        <table class="plain">
          <tbody>{warnings.map((e) => (
            <tr key={e.metadata.uid}><td>{age(e.lastTimestamp ?? e.metadata.creationTimestamp)}</td><td>{e.reason}</td>
              <td>{e.involvedObject?.kind}/{e.involvedObject?.name}</td><td>{e.message}</td></tr>))}</tbody>
        </table>
      )}
    </section>
  );
}
