// Create or update objects from YAML, as `kubectl apply --server-side` does: each document is sent as an apply patch
// (field manager nanokube-dashboard), so a new object is created and an existing one gets the fields given.
import { useState } from 'preact/hooks';
import { api, type KubeObject } from '../api';
import { Link } from '../router';
import { byKind, objectHref, resourcePath } from '../resources';
import { useNamespace } from '../namespace';
import { loadYaml } from '../components/yaml-tab';

type Outcome = { ok: boolean; text: string; href?: string };

const EXAMPLE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: example
data:
  greeting: hello
`;

export function CreatePage() {
  const [ns] = useNamespace();
  const [text, setText] = useState(EXAMPLE);
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const apply = async () => {
    setBusy(true);
    const results: Outcome[] = [];
    try {
      const yaml = await loadYaml();
      const docs = yaml.parseAllDocuments(text);
      for (const doc of docs) {
        if (doc.errors.length) { results.push({ ok: false, text: `not valid YAML: ${doc.errors[0]!.message}` }); continue; }
        const obj = doc.toJS() as KubeObject | null;
        if (!obj) continue;
        const r = obj.kind ? byKind.get(obj.kind) : undefined;
        const group = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/')[0] : '';
        const name = obj.metadata?.name;
        if (!r || r.group !== group) { results.push({ ok: false, text: `${obj.apiVersion ?? '?'} ${obj.kind ?? '?'}: this page knows no such kind; use kubectl apply` }); continue; }
        if (!name) { results.push({ ok: false, text: `${obj.kind}: metadata.name is required` }); continue; }
        const namespace = r.namespaced ? obj.metadata.namespace ?? (ns || 'default') : undefined;
        try {
          await api(`${resourcePath(r, namespace, name)}?fieldManager=nanokube-dashboard&force=true`, { method: 'PATCH', body: obj, contentType: 'application/apply-patch+yaml' });
          results.push({ ok: true, text: `${obj.kind} ${namespace ? namespace + '/' : ''}${name} applied`, href: objectHref(r, namespace, name) });
        } catch (e) { results.push({ ok: false, text: `${obj.kind} ${name}: ${(e as Error).message}` }); }
      }
    } finally {
      setOutcomes(results);
      setBusy(false);
    }
  };
  return (
    <section>
      <header class="page-head"><h2>Create or apply</h2></header>
      <p class="muted">One or more YAML documents, applied server-side (as <code>kubectl apply --server-side</code>) in {ns || 'default'} unless they name a namespace.</p>
      <textarea class="yaml" data-testid="create-text" spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <div class="toolbar" style={{ marginTop: '.5rem' }}>
        <button type="button" class="primary" data-testid="create-apply" disabled={busy || !text.trim()} onClick={apply}>Apply</button>
      </div>
      <ul data-testid="create-results">{outcomes.map((o, i) => (
        <li key={i} class={o.ok ? 'ok' : 'error'}>{o.href ? <Link href={o.href}>{o.text}</Link> : o.text}</li>))}</ul>
    </section>
  );
}
