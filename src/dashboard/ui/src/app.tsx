// The app shell: header (namespace picker, user, log out), sidebar (built-in kinds, then registered pages), and the
// page the URL names. Pages register themselves through router.tsx; this file only lays them out.
import { useEffect, useState } from 'preact/hooks';
import { getSession, logout, setUnauthorizedHandler, type SessionInfo } from './api';
import { Link, matchPath, navigate, registeredPages, useLocation } from './router';
import { RESOURCES, byPlural, kindPlural } from './resources';
import { useNamespace } from './namespace';
import { useList } from './watch';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { ListPage } from './pages/list';
import { DetailPage } from './pages/detail';
import { CreatePage } from './pages/create';

const SECTIONS = ['Workloads', 'Network', 'Config', 'Storage', 'Cluster'];

function NamespacePicker() {
  const [ns, setNs] = useNamespace();
  const { items } = useList(byPlural.get('namespaces')!);
  return (
    <label class="ns">Namespace{' '}
      <select data-testid="namespace" value={ns} onChange={(e) => setNs((e.target as HTMLSelectElement).value)}>
        <option value="">All namespaces</option>
        {ns && !items.some((n) => n.metadata.name === ns) && <option value={ns}>{ns}</option>}
        {items.map((n) => <option key={n.metadata.name} value={n.metadata.name}>{n.metadata.name}</option>)}
      </select>
    </label>
  );
}

function Sidebar(props: { path: string }) {
  const extra = registeredPages().filter((p) => p.nav);
  const sections = [...SECTIONS, ...extra.map((p) => p.nav!.section).filter((s, i, a) => !SECTIONS.includes(s) && a.indexOf(s) === i)];
  const item = (href: string, label: string) => (
    <li key={href}><Link href={href} class={props.path === href || props.path.startsWith(href + '/') ? 'active' : ''}>{label}</Link></li>
  );
  return (
    <nav class="sidebar">
      <ul>{item('/', 'Overview')}</ul>
      {sections.map((s) => (
        <div key={s}>
          <h4>{s}</h4>
          <ul>
            {RESOURCES.filter((r) => r.section === s).map((r) => item(`/${r.plural}`, kindPlural(r)))}
            {extra.filter((p) => p.nav!.section === s).map((p) => item(p.path, p.nav!.label))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

function Routes(props: { path: string; query: URLSearchParams }) {
  const { path, query } = props;
  if (path === '/') return <OverviewPage />;
  if (path === '/create') return <CreatePage />;
  for (const page of registeredPages()) {
    const params = matchPath(page.path, path);
    if (params) return <>{page.render(params, query)}</>;
  }
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const r = byPlural.get(parts[0] ?? '');
  if (r) {
    if (parts.length === 1) return <ListPage key={r.plural} resource={r} />;
    if (!r.namespaced && parts.length === 2) return <DetailPage key={path} resource={r} name={parts[1]!} tab={query.get('tab') ?? undefined} />;
    if (r.namespaced && parts.length === 3) return <DetailPage key={path} resource={r} namespace={parts[1]} name={parts[2]!} tab={query.get('tab') ?? undefined} />;
  }
  return <section><h2>Not found</h2><p>No page at {path}. <Link href="/">Overview</Link></p></section>;
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const { path, query } = useLocation();
  const refresh = () => getSession().then((s) => setSession(s ?? null), () => setSession(null));
  useEffect(() => { setUnauthorizedHandler(() => setSession(null)); void refresh(); }, []);
  if (session === undefined) return <div class="loading">Loading…</div>;
  if (session === null || path === '/login') {
    return <LoginPage expired={query.has('expired')} onLogin={() => { void refresh(); if (path === '/login') navigate('/', { replace: true }); }} />;
  }
  return (
    <div class="shell">
      <header class="top">
        <Link href="/" class="brand">nanokube</Link>
        <Link href="/create" class="create" data-testid="create">+ Create</Link>
        <NamespacePicker />
        <span class="user" data-testid="user">{session.user.username}</span>
        <button type="button" class="small" onClick={async () => { await logout(); setSession(null); }}>Log out</button>
      </header>
      <Sidebar path={path} />
      <main class="content"><Routes path={path} query={query} /></main>
    </div>
  );
}
