// Moves the dots of the architecture view: each flow event becomes a short chain of hops along the diagram's edges
// (a request goes to the API server and its answer comes back; a write goes to the store and its commit comes back
// as the store's watch notification; a watch event goes out to its watcher, and from the shared informer cache on
// to the components that use it). The SVG is changed directly in one requestAnimationFrame loop, not re-rendered
// through Preact, and at most MAX_DOTS move at once, so a flood costs the page a bounded amount of work.
import type { FlowEvent } from './flow';
import { consumersOf } from './layout';

export const MAX_DOTS = 240;

/** Hops start in phases so cause precedes effect on screen: request, store write, commit, delivery, fan-out. */
const PHASE = { request: 0, write: 1, watch: 3, proxy: 1 } as const;

interface Hop { from: string; to: string; cls: string; start: number }
interface Dot { el: SVGCircleElement; x1: number; y1: number; x2: number; y2: number; start: number; to: string }

export interface AnimatorHost {
  /** The <g> the dots are drawn in. */
  layer: SVGGElement;
  /** The centre of a box by id (undefined: not drawn, the hop is skipped). */
  center(id: string): { x: number; y: number } | undefined;
  /** The box a participant is drawn as. */
  boxOf(p: FlowEvent['from']): string;
  /** A dot reached a box (it flashes). */
  arrived(id: string): void;
  /** The kubelet box a pod's change in the shared cache goes on to (a simulated kubelet reads that cache), if any. */
  cachedKubelet(node: string): string | undefined;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export class FlowAnimator {
  /** Milliseconds one hop takes. */
  hopMs = 650;
  /** Slow motion: events play one after another, this far apart, instead of as they came. */
  slow = false;
  slowGapMs = 300;
  /** Hops that found no free dot (MAX_DOTS moving). */
  skipped = 0;
  private pending: Hop[] = [];
  private dots: Dot[] = [];
  private free: SVGCircleElement[] = [];
  private lastBase = 0;
  private frame = 0;
  private stopped = false;

  constructor(private readonly host: AnimatorHost, private readonly now: () => number = () => performance.now()) {}

  /** Plays a batch of events (in their order), spread over `spreadMs` in real time or one by one in slow motion. */
  play(events: FlowEvent[], spreadMs = 100): void {
    const now = this.now();
    events.forEach((e, i) => {
      let base: number;
      if (this.slow) { base = Math.max(now, this.lastBase + this.slowGapMs); this.lastBase = base; }
      else base = now + (events.length > 1 ? (i * spreadMs) / events.length : 0);
      for (const h of this.hopsOf(e, base)) this.pending.push(h);
    });
    // Slow motion must not fall minutes behind: beyond a backlog, the oldest hops go.
    if (this.pending.length > 4 * MAX_DOTS) { this.skipped += this.pending.length - 4 * MAX_DOTS; this.pending.splice(0, this.pending.length - 4 * MAX_DOTS); }
    this.schedule();
  }

  /** A coalesced edge (many events the server counted instead of sending): one fat dot. */
  pulse(from: string, to: string, count: number): void {
    this.pending.push({ from, to, cls: `dot coalesced${count > 50 ? ' many' : ''}`, start: this.now() });
    this.schedule();
  }

  private hopsOf(e: FlowEvent, base: number): Hop[] {
    const d = this.slow ? this.hopMs * 1.8 : this.hopMs;
    const at = (phase: number) => base + phase * d;
    const who = this.host.boxOf(e.from), target = this.host.boxOf(e.to);
    switch (e.kind) {
      case 'request': {
        const ok = (e.code ?? 200) < 400;
        return [
          { from: who, to: 'apiserver', cls: `dot request ${e.verb ?? ''}`, start: at(PHASE.request) },
          { from: 'apiserver', to: who, cls: `dot response ${ok ? 'ok' : 'failed'}`, start: at(PHASE.request + 1 + (isWrite(e.verb) ? 2 : 0)) },
        ];
      }
      case 'write':
        return [
          { from: 'apiserver', to: 'store', cls: 'dot write', start: at(PHASE.write) },
          { from: 'store', to: 'apiserver', cls: 'dot commit', start: at(PHASE.write + 1) },
        ];
      case 'watch': {
        const hops: Hop[] = [{ from: 'apiserver', to: target, cls: `dot watch ${(e.type ?? '').toLowerCase()}`, start: at(PHASE.watch) }];
        if (target === 'informers') {
          for (const c of consumersOf(e.resource)) hops.push({ from: 'informers', to: c, cls: 'dot watch fanout', start: at(PHASE.watch + 1) });
          const kubelet = e.podNode && this.host.cachedKubelet(e.podNode);
          if (kubelet) hops.push({ from: 'informers', to: kubelet, cls: 'dot watch fanout', start: at(PHASE.watch + 1) });
        }
        return hops;
      }
      case 'proxy':
        return [
          { from: 'apiserver', to: target, cls: 'dot proxy', start: at(PHASE.proxy) },
          { from: target, to: 'apiserver', cls: 'dot proxy', start: at(PHASE.proxy + 1) },
        ];
    }
  }

  private schedule(): void {
    if (!this.frame && !this.stopped) this.frame = requestAnimationFrame(() => this.tick());
  }

  private tick(): void {
    this.frame = 0;
    const now = this.now();
    const d = this.slow ? this.hopMs * 1.8 : this.hopMs;
    // Start the hops whose time came (pending is nearly sorted; a full scan keeps it simple and bounded).
    if (this.pending.length) {
      const later: Hop[] = [];
      for (const h of this.pending) {
        if (h.start > now) { later.push(h); continue; }
        const a = this.host.center(h.from), b = this.host.center(h.to);
        if (!a || !b || h.from === h.to) continue;
        if (this.dots.length >= MAX_DOTS) { this.skipped++; continue; }
        const el = this.free.pop() ?? (document.createElementNS(SVG_NS, 'circle') as SVGCircleElement);
        el.setAttribute('class', h.cls);
        el.setAttribute('r', h.cls.includes('coalesced') ? (h.cls.includes('many') ? '11' : '8') : '5');
        el.setAttribute('cx', String(a.x)); el.setAttribute('cy', String(a.y));
        this.host.layer.appendChild(el);
        this.dots.push({ el, x1: a.x, y1: a.y, x2: b.x, y2: b.y, start: h.start, to: h.to });
      }
      this.pending = later;
    }
    const still: Dot[] = [];
    for (const dot of this.dots) {
      const t = Math.min(1, Math.max(0, (now - dot.start) / d));
      if (t >= 1) {
        dot.el.remove();
        this.free.push(dot.el);
        this.host.arrived(dot.to);
        continue;
      }
      const e = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2; // ease in-out
      dot.el.setAttribute('cx', (dot.x1 + (dot.x2 - dot.x1) * e).toFixed(1));
      dot.el.setAttribute('cy', (dot.y1 + (dot.y2 - dot.y1) * e).toFixed(1));
      still.push(dot);
    }
    this.dots = still;
    if (this.dots.length || this.pending.length) this.schedule();
  }

  /** Dots moving right now. */
  get moving(): number { return this.dots.length; }

  stop(): void {
    this.stopped = true;
    if (this.frame) cancelAnimationFrame(this.frame);
    for (const d of this.dots) d.el.remove();
    this.dots = []; this.pending = [];
  }
}

const isWrite = (verb: string | undefined) => verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete' || verb === 'deletecollection';
