// The object as YAML (managedFields left out, as kubectl shows it), editable: Save sends a PUT with the
// resourceVersion the text was loaded at, so a change made meanwhile by someone else is a 409 Conflict shown here,
// never silently overwritten. A Secret's values stay masked until revealed, and only a revealed Secret can be edited.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type KubeObject } from '../api';
import { resourcePath, type ResourceType } from '../resources';
import { LAST_APPLIED, MASK } from './secret-data';

type YamlLib = typeof import('yaml');
let yamlLib: Promise<YamlLib> | undefined;
/** The YAML library is loaded when first needed: the pages people open first stay small. */
export const loadYaml = () => (yamlLib ??= import('yaml'));

function forDisplay(o: KubeObject, masked: boolean): KubeObject {
  const c = structuredClone(o);
  delete c.metadata.managedFields;
  if (masked && c.kind === 'Secret') {
    for (const field of ['data', 'stringData']) if (c[field]) for (const k of Object.keys(c[field])) c[field][k] = MASK;
    // kubectl apply keeps the whole object, values included, in this annotation.
    if (c.metadata.annotations?.[LAST_APPLIED]) c.metadata.annotations[LAST_APPLIED] = MASK;
  }
  return c;
}

export function YamlTab(props: { resource: ResourceType; obj: KubeObject }) {
  const { resource: r, obj: live } = props;
  const isSecret = r.kind === 'Secret';
  const [revealed, setRevealed] = useState(!isSecret);
  const [loaded, setLoaded] = useState<KubeObject | undefined>();
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<{ tone: 'error' | 'ok' | 'warning'; text: string } | undefined>();
  const path = resourcePath(r, live.metadata.namespace, live.metadata.name);

  const load = async () => {
    const [yaml, fresh] = await Promise.all([loadYaml(), api<KubeObject>(path)]);
    setLoaded(fresh);
    setText(yaml.stringify(forDisplay(fresh, !revealed)));
    setMessage(undefined);
  };
  // Reload when not editing and the object changed on the server (the watch says so), or when revealing.
  useEffect(() => { if (!editing) void load().catch((e) => setMessage({ tone: 'error', text: (e as Error).message })); }, [live.metadata.resourceVersion, revealed]);

  const save = async () => {
    const yaml = await loadYaml();
    let edited: KubeObject;
    try { edited = yaml.parse(text) as KubeObject; } catch (e) { setMessage({ tone: 'error', text: `not valid YAML: ${(e as Error).message}` }); return; }
    try {
      await api(path, { method: 'PUT', body: edited });
      setEditing(false);
      setMessage({ tone: 'ok', text: 'Saved.' });
      await load();
      setMessage({ tone: 'ok', text: 'Saved.' });
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) {
        setMessage({ tone: 'warning', text: `Conflict: ${e.message}. Someone changed it since you loaded it; reload to see their version (your edits are lost), or copy your text first.` });
      } else setMessage({ tone: 'error', text: (e as Error).message });
    }
  };
  const stale = editing && loaded && loaded.metadata.resourceVersion !== live.metadata.resourceVersion;
  return (
    <div class="yaml-tab">
      <div class="toolbar">
        {isSecret && <button type="button" onClick={() => setRevealed(!revealed)} disabled={editing}>{revealed ? 'Mask values' : 'Reveal values'}</button>}
        {!editing && <button type="button" data-testid="yaml-edit" disabled={!revealed} title={revealed ? '' : 'Reveal the values to edit'} onClick={() => { setEditing(true); setMessage(undefined); }}>Edit</button>}
        {editing && <button type="button" class="primary" data-testid="yaml-save" onClick={save}>Save</button>}
        {editing && <button type="button" onClick={() => { setEditing(false); void load(); }}>Cancel</button>}
        {message?.tone === 'warning' && <button type="button" data-testid="yaml-reload" onClick={() => { setEditing(false); void load(); }}>Reload</button>}
        {stale && <span class="warning">Changed on the server since you started editing (resourceVersion {live.metadata.resourceVersion}).</span>}
      </div>
      {message && <p class={message.tone} role={message.tone === 'ok' ? 'status' : 'alert'} data-testid="yaml-message">{message.text}</p>}
      {editing
        ? <textarea class="yaml" data-testid="yaml-text" spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        : <pre class="yaml" data-testid="yaml-text">{text || 'Loading…'}</pre>}
    </div>
  );
}
