// A pod's container log, streamed through the dashboard's /k8s proxy from pods/log (the API server reads it from the
// pod's kubelet): follow on by default, as `kubectl logs -f --tail=500`; the container, the number of lines, the
// previous instance and timestamps can be chosen. Only the latest MAX_LINES lines stay on the page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiStream, type KubeObject } from '../api';

const MAX_LINES = 5000;

export function containerNames(pod: KubeObject): string[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c: { name: string }) => c.name);
}

export function PodLogs(props: { pod: KubeObject }) {
  const { pod } = props;
  const names = containerNames(pod);
  const [container, setContainer] = useState(names[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [tail, setTail] = useState(500);
  const [previous, setPrevious] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [status, setStatus] = useState<'loading' | 'following' | 'ended' | 'error'>('loading');
  const [error, setError] = useState('');
  const [, setTick] = useState(0);
  const lines = useRef<string[]>([]);
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    const ac = new AbortController();
    lines.current = [];
    setTick((t) => t + 1);
    setStatus('loading'); setError('');
    const q = new URLSearchParams({ container, tailLines: String(tail) });
    if (follow) q.set('follow', 'true');
    if (previous) q.set('previous', 'true');
    if (timestamps) q.set('timestamps', 'true');
    let dirty = false;
    const flush = setInterval(() => { if (dirty) { dirty = false; setTick((t) => t + 1); } }, 100);
    (async () => {
      const res = await apiStream(`/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace!)}/pods/${encodeURIComponent(pod.metadata.name)}/log?${q}`, ac.signal, '*/*');
      setStatus(follow ? 'following' : 'ended');
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let partial = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parts = (partial + value).split('\n');
        partial = parts.pop()!;
        lines.current.push(...parts);
        if (lines.current.length > MAX_LINES) lines.current.splice(0, lines.current.length - MAX_LINES);
        dirty = true;
      }
      if (partial) { lines.current.push(partial); dirty = true; }
      setStatus('ended');
    })().catch((e) => { if (!ac.signal.aborted) { setStatus('error'); setError((e as Error).message); } });
    return () => { ac.abort(); clearInterval(flush); };
  }, [pod.metadata.namespace, pod.metadata.name, container, follow, tail, previous, timestamps]);

  // Stay at the bottom while following, unless the reader scrolled up.
  useEffect(() => { const el = pre.current; if (el && atBottom.current) el.scrollTop = el.scrollHeight; });

  return (
    <div class="pod-logs">
      <div class="toolbar">
        {names.length > 1 && (
          <label>Container <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select></label>
        )}
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> follow</label>
        <label>last <select value={String(tail)} onChange={(e) => setTail(Number((e.target as HTMLSelectElement).value))}>
          {[100, 500, 1000, 5000].map((n) => <option key={n} value={String(n)}>{n}</option>)}
        </select> lines</label>
        <label><input type="checkbox" checked={previous} onChange={(e) => setPrevious((e.target as HTMLInputElement).checked)} /> previous instance</label>
        <label><input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps((e.target as HTMLInputElement).checked)} /> timestamps</label>
        <span class={`log-status ${status}`} data-testid="log-status">{status === 'error' ? error : status}</span>
      </div>
      <pre class="log-lines" ref={pre} data-testid="pod-log"
        onScroll={(e) => { const el = e.currentTarget; atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4; }}>
        {lines.current.join('\n')}
      </pre>
    </div>
  );
}
