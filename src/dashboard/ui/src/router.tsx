// The dashboard's pages and how a URL picks one: a small history-API router. The extension points:
//
//   registerPage({ path: '/architecture', nav: { label: 'Architecture', section: 'Cluster' }, render: () => <Arch/> })
//     a page of its own at a path (':name' segments are parameters), listed in the sidebar when it has `nav`;
//   registerDetailTab({ id: 'logs', label: 'Logs', kinds: ['Pod'], render: (obj) => <Logs pod={obj}/> })
//     a tab on the detail page of the named kinds (logs and exec terminals live here).
//
// Pages registered are matched before the per-kind pages (/<plural>, /<plural>/<namespace>/<name>), in the order
// registered. Register from a module that pages.tsx imports, before the app first renders.
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { KubeObject } from './api';

export type Params = Record<string, string>;

export interface NavEntry {
  label: string;
  /** The sidebar heading it appears under (a new heading is added after the built-in ones). */
  section: string;
}

export interface Page {
  path: string;
  nav?: NavEntry;
  render(params: Params, query: URLSearchParams): ComponentChildren;
}

export interface DetailTab {
  id: string;
  label: string;
  /** The kinds whose detail page shows the tab (e.g. ['Pod']); absent = every kind. */
  kinds?: string[];
  render(obj: KubeObject): ComponentChildren;
}

const pages: Page[] = [];
const detailTabs: DetailTab[] = [];

export function registerPage(page: Page): void { pages.push(page); }
export function registerDetailTab(tab: DetailTab): void { detailTabs.push(tab); }
export function registeredPages(): readonly Page[] { return pages; }
export function detailTabsFor(kind: string): DetailTab[] { return detailTabs.filter((t) => !t.kinds || t.kinds.includes(kind)); }

/** Params of `pattern` ('/pods/:namespace/:name') in `path`, or undefined when it does not match. */
export function matchPath(pattern: string, path: string): Params | undefined {
  const ps = pattern.split('/').filter(Boolean), xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i]!.startsWith(':')) params[ps[i]!.slice(1)] = decodeURIComponent(xs[i]!);
    else if (ps[i] !== xs[i]) return undefined;
  }
  return params;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((fn) => fn()));

/** Goes to a dashboard URL without reloading the page. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to); else history.pushState(null, '', to);
  listeners.forEach((fn) => fn());
  window.scrollTo(0, 0);
}

/** The current location; re-renders the component when it changes. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const fn = () => setTick((t) => t + 1);
    listeners.add(fn);
    return () => { listeners.delete(fn); };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** An <a> that navigates in place (a middle click or ctrl-click still opens a new tab). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
