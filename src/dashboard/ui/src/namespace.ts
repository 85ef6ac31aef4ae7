// The namespace the user picked in the header ('' = all namespaces), remembered in this browser.
import { useEffect, useState } from 'preact/hooks';

const KEY = 'nanokube-dashboard.namespace';
let current = localStorage.getItem(KEY) ?? '';
const listeners = new Set<(ns: string) => void>();

export function setNamespace(ns: string): void {
  current = ns;
  localStorage.setItem(KEY, ns);
  listeners.forEach((fn) => fn(ns));
}

export function useNamespace(): [string, (ns: string) => void] {
  const [ns, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => { listeners.delete(set); };
  }, []);
  return [ns, setNamespace];
}
