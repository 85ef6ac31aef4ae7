// A binary heap keyed by string, supporting removal and re-positioning of an arbitrary key (upstream's
// scheduler heap). O(log n) push/pop/remove/update.

export class KeyedHeap<T> {
  private items: T[] = [];
  private pos = new Map<string, number>();

  constructor(private readonly keyOf: (v: T) => string, private readonly less: (a: T, b: T) => boolean) {}

  get size(): number { return this.items.length; }
  has(key: string): boolean { return this.pos.has(key); }
  get(key: string): T | undefined { const i = this.pos.get(key); return i === undefined ? undefined : this.items[i]; }
  peek(): T | undefined { return this.items[0]; }
  values(): readonly T[] { return this.items; }

  /** Adds v, or replaces the item with the same key and restores order. */
  push(v: T): void {
    const k = this.keyOf(v);
    const i = this.pos.get(k);
    if (i !== undefined) { this.items[i] = v; this.fix(i); return; }
    this.items.push(v);
    this.pos.set(k, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }

  remove(key: string): T | undefined {
    const i = this.pos.get(key);
    if (i === undefined) return undefined;
    const v = this.items[i];
    this.removeAt(i);
    return v;
  }

  private removeAt(i: number): void {
    const last = this.items.pop()!;
    this.pos.delete(this.keyOf(i === this.items.length ? last : this.items[i]));
    if (i < this.items.length) {
      this.items[i] = last;
      this.pos.set(this.keyOf(last), i);
      this.fix(i);
    }
  }

  private fix(i: number): void { if (!this.up(i)) this.down(i); }

  private up(i: number): boolean {
    const items = this.items;
    const v = items[i];
    let moved = false;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(v, items[p])) break;
      items[i] = items[p];
      this.pos.set(this.keyOf(items[i]), i);
      i = p;
      moved = true;
    }
    items[i] = v;
    this.pos.set(this.keyOf(v), i);
    return moved;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const v = items[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r], items[l]) ? r : l;
      if (!this.less(items[c], v)) break;
      items[i] = items[c];
      this.pos.set(this.keyOf(items[i]), i);
      i = c;
    }
    items[i] = v;
    this.pos.set(this.keyOf(v), i);
  }
}
