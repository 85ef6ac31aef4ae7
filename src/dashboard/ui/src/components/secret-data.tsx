// A Secret's data, masked until the user reveals a key (or all of them): nothing secret shows by accident on a
// shared screen or a screenshot.
import { useState } from 'preact/hooks';
import type { KubeObject } from '../api';

export const MASK = '••••••••';
/** kubectl apply's copy of the applied object: for a Secret it holds the values, so it is masked too. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A Secret's annotations with the values in last-applied-configuration masked. */
export function maskedAnnotations(o: KubeObject): Record<string, string> | undefined {
  const a = o.metadata.annotations;
  if (o.kind !== 'Secret' || !a?.[LAST_APPLIED]) return a;
  return { ...a, [LAST_APPLIED]: MASK };
}

export function decodeBase64(b64: string): string {
  try {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch { return `(${b64.length * 3 / 4 | 0} bytes of binary data)`; }
}

export function SecretData(props: { secret: KubeObject }) {
  const [shown, setShown] = useState<Set<string>>(new Set());
  const entries = Object.entries(props.secret.data ?? {}) as Array<[string, string]>;
  const toggle = (k: string) => setShown((s) => { const n = new Set(s); if (n.has(k)) n.delete(k); else n.add(k); return n; });
  return (
    <>
      <h3>Data {entries.length > 0 && <button type="button" class="small" onClick={() => setShown(shown.size ? new Set() : new Set(entries.map(([k]) => k)))}>{shown.size ? 'Hide all' : 'Reveal all'}</button>}</h3>
      {entries.length === 0 ? <p class="muted">No data.</p> : entries.map(([k, v]) => (
        <div key={k} class="datum" data-testid={`secret-${k}`}>
          <div class="datum-key">{k} <button type="button" class="small" onClick={() => toggle(k)}>{shown.has(k) ? 'Hide' : 'Reveal'}</button></div>
          <pre class="secret-value">{shown.has(k) ? decodeBase64(v) : MASK}</pre>
        </div>
      ))}
    </>
  );
}
