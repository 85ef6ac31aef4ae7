// The live architecture view: the seed's components as a diagram, every API request, storage write and watch event
// flowing between them as it happens (the API server's flow feed, src/apiserver/flow), and a log of the latest
// events with a pause button. Watch `kubectl scale deployment/flask-app --replicas=3` go from kubectl to the API
// server and the store, out to the deployment and ReplicaSet controllers, the scheduler and the kubelet, and back
// as status updates.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { followFlow, describeEvent, participantLabel, type FlowEvent, type FlowState } from './flow';
import { FlowAnimator } from './animator';
import { VIEW, boxOf, centerOf, kubeletBoxes, optionalBoxes, staticBoxes, consumersOf, type Box } from './layout';
import './architecture.css';

/** Events kept in the side log. */
const LOG_SIZE = 100;
/** Resources that change all the time on their own (lease renewals, events): hidden unless asked for. */
const NOISY = new Set(['leases', 'events']);

interface Counters { drawn: number; coalesced: number; missed: number }

export function ArchitecturePage() {
  const [state, setState] = useState<FlowState>({ state: 'connecting' });
  const [nodes, setNodes] = useState<string[]>([]);
  const [seen, setSeen] = useState<string[]>([]);
  const [paused, setPaused] = useState(false);
  const [slow, setSlow] = useState(false);
  const [showNoisy, setShowNoisy] = useState(false);
  const [controller, setController] = useState('');
  const [, setTick] = useState(0);
  const log = useRef<FlowEvent[]>([]);
  const counters = useRef<Counters>({ drawn: 0, coalesced: 0, missed: 0 });
  const layer = useRef<SVGGElement>(null);
  const boxEls = useRef(new Map<string, SVGGElement>());
  const live = useRef({ paused, showNoisy, nodes, seen });
  live.current = { paused, showNoisy, nodes, seen };

  const boxes = useMemo(() => [...staticBoxes.filter((b) => !optionalBoxes.has(b.id) || seen.includes(b.id)), ...kubeletBoxes(nodes)], [nodes, seen]);
  const byId = useMemo(() => new Map(boxes.map((b) => [b.id, b])), [boxes]);
  const boxesRef = useRef(byId);
  boxesRef.current = byId;

  const animator = useRef<FlowAnimator | undefined>(undefined);
  useEffect(() => {
    const flashed = new Map<string, number>();
    const watching = new Set<string>();
    const a = new FlowAnimator({
      get layer() { return layer.current!; },
      center: (id) => { const b = boxesRef.current.get(id); return b && centerOf(b); },
      boxOf: (p) => boxOf(p, live.current.nodes),
      // A kubelet that never received a watch event of its own reads the shared cache (simulated nodes do).
      cachedKubelet: (node) => (live.current.nodes.includes(node) && !watching.has(node) ? boxOf({ kind: 'kubelet', node }, live.current.nodes) : undefined),
      // A box flashes when a dot reaches it: at most every 150 ms per box, through the Web Animations API (restarting
      // a CSS animation would force a layout per arrival, hundreds a second in a flood).
      arrived: (id) => {
        const el = boxEls.current.get(id);
        const now = performance.now();
        if (!el || now - (flashed.get(id) ?? 0) < 150) return;
        flashed.set(id, now);
        el.querySelector('rect')?.animate([{ strokeWidth: 5, filter: 'drop-shadow(0 0 6px #3f6fd8)' }, { strokeWidth: 1.5, filter: 'none' }], { duration: 450, easing: 'ease-out' });
      },
    });
    animator.current = a;
    const ac = new AbortController();
    let dirty = false;
    const flush = setInterval(() => { if (dirty) { dirty = false; setTick((t) => t + 1); } }, 400);
    void followFlow(ac.signal, (batch) => {
      const { paused, showNoisy } = live.current;
      if (paused) { counters.current.missed += batch.events.length; dirty = true; return; }
      const shown = showNoisy ? batch.events : batch.events.filter((e) => !NOISY.has(e.resource));
      const known = live.current.nodes, shownKinds = live.current.seen;
      const fresh = new Set<string>(), freshKinds = new Set<string>();
      for (const e of shown) {
        if (e.kind === 'watch' && e.to.kind === 'kubelet' && e.to.node) watching.add(e.to.node);
        for (const p of [e.from, e.to]) {
          if (p.kind === 'kubelet' && p.node && !known.includes(p.node)) fresh.add(p.node);
          if (optionalBoxes.has(p.kind) && !shownKinds.includes(p.kind)) freshKinds.add(p.kind);
        }
      }
      if (fresh.size) { const next = [...known, ...fresh].sort(); live.current.nodes = next; setNodes(next); }
      if (freshKinds.size) { const next = [...shownKinds, ...freshKinds]; live.current.seen = next; setSeen(next); }
      const lastController = [...shown].reverse().find((e) => e.from.controller)?.from.controller;
      if (lastController) setController(lastController);
      a.play(shown);
      for (const d of batch.dropped) {
        if (!showNoisy && NOISY.has(d.resource)) continue;
        counters.current.coalesced += d.count;
        // Labels are "kind" or "kind:node|controller" (tap.ts).
        const box = (label: string) => { const [kind, rest] = label.split(/:(.*)/s) as [string, string | undefined]; return boxOf(kind === 'kubelet' ? { kind, node: rest } : { kind }, live.current.nodes); };
        a.pulse(box(d.from), box(d.to), d.count);
      }
      counters.current.drawn += shown.length;
      if (shown.length) {
        log.current = [...shown.slice(-LOG_SIZE).reverse(), ...log.current].slice(0, LOG_SIZE);
        dirty = true;
      } else if (batch.dropped.length) dirty = true;
    }, setState);
    return () => { ac.abort(); clearInterval(flush); a.stop(); };
  }, []);
  useEffect(() => { if (animator.current) animator.current.slow = slow; }, [slow]);

  const api = byId.get('apiserver')!;
  const edges: Array<[Box, Box, string]> = [];
  for (const b of boxes) {
    if (b.id === 'apiserver' || b.id === 'kube-proxy' || b.id === 'dns') continue;
    edges.push([b, api, b.id === 'store' ? 'edge storage' : 'edge']);
  }
  const informers = byId.get('informers')!;
  for (const id of new Set(['pods', 'services', 'ingresses'].flatMap(consumersOf))) {
    const c = byId.get(id);
    if (c) edges.push([informers, c, 'edge cache']);
  }
  const c = counters.current;
  return (
    <section class="architecture">
      <header class="architecture-bar">
        <h1>Architecture, live</h1>
        <span class={`flow-state ${state.state}`} data-testid="flow-state">
          {state.state === 'open' ? 'live' : state.state === 'connecting' ? 'connecting…' : state.forbidden ? 'not allowed: you need get on /debug/flow' : `disconnected: ${state.message}`}
        </span>
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused} data-testid="flow-pause">{paused ? 'Resume' : 'Pause'}</button>
        <label><input type="checkbox" checked={slow} onChange={(e) => setSlow((e.target as HTMLInputElement).checked)} /> slow motion</label>
        <label><input type="checkbox" checked={showNoisy} onChange={(e) => setShowNoisy((e.target as HTMLInputElement).checked)} /> show leases and events</label>
        <span class="flow-counters">
          <span data-testid="flow-drawn" data-count={c.drawn}>{c.drawn}</span> events
          {c.coalesced > 0 && <> · <span data-testid="flow-coalesced">{c.coalesced}</span> coalesced</>}
          {c.missed > 0 && <> · {c.missed} missed while paused</>}
        </span>
      </header>
      <div class="architecture-body">
        <svg class="architecture-diagram" viewBox={`0 0 ${VIEW.w} ${VIEW.h}`} role="img" aria-label="The cluster's components and the requests between them">
          <g class="edges">
            {edges.map(([a, b, cls]) => { const p = centerOf(a), q = centerOf(b); return <line key={`${a.id}-${b.id}`} class={cls} x1={p.x} y1={p.y} x2={q.x} y2={q.y} />; })}
          </g>
          <g class="dots" ref={layer} />
          <g class="boxes">
            {boxes.map((b) => (
              <g key={b.id} class={`box ${b.role}`} data-box={b.id} ref={(el) => { if (el) boxEls.current.set(b.id, el); else boxEls.current.delete(b.id); }}>
                <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={8} />
                <text x={b.x + b.w / 2} y={b.y + (b.sub || b.id === 'controller-manager' ? b.h / 2 - 4 : b.h / 2 + 5)} text-anchor="middle" class="label">{b.label}</text>
                {(b.sub || (b.id === 'controller-manager' && controller)) &&
                  <text x={b.x + b.w / 2} y={b.y + b.h / 2 + 14} text-anchor="middle" class="sub">{b.id === 'controller-manager' ? controller : b.sub}</text>}
              </g>
            ))}
          </g>
        </svg>
        <aside class="flow-log">
          <h2>Latest</h2>
          <ol data-testid="flow-log">
            {log.current.map((e) => (
              <li key={e.seq} class={`flow-entry ${e.kind}${(e.code ?? 0) >= 400 ? ' failed' : ''}`} data-kind={e.kind} data-from={e.from.controller ?? e.from.kind} data-resource={e.resource}>
                <time>{new Date(e.time).toLocaleTimeString()}</time>
                <span class="edge-text">{participantLabel(e.from)} → {participantLabel(e.to)}</span>
                <span class="what">{describeEvent(e)}</span>
                {e.code !== undefined && <span class="code">{e.code}</span>}
              </li>
            ))}
          </ol>
        </aside>
      </div>
      <p class="legend">
        <span class="dot-key request" /> request <span class="dot-key response ok" /> response <span class="dot-key write" /> store write
        <span class="dot-key commit" /> commit (watch notification) <span class="dot-key watch" /> watch event <span class="dot-key proxy" /> to a kubelet (logs, exec)
      </p>
    </section>
  );
}
