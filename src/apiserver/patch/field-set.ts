// Sets of field paths, as structured-merge-diff's fieldpath.Set, and their wire form, FieldsV1 (the value of
// managedFields[].fieldsV1). A path is a list of path elements in FieldsV1's own spelling:
//   f:<name>        a field of a struct or a key of a map          ("f:spec", "f:app")
//   k:<json>        an item of a map-list, by its keys (sorted)    ('k:{"containerPort":5000,"protocol":"TCP"}')
//   v:<json>        an item of a set-list, by value                ('v:"example.com/finalizer"')
//   i:<n>           an item of a list by index (not produced here)
// In FieldsV1 a member without children is `{}`; a member with children also has `".": {}`.

export type PathElement = string;
export type FieldPath = PathElement[];

export class FieldSet {
  private readonly members = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  insert(path: FieldPath): void { this.members.set(JSON.stringify(path), [...path]); }
  has(path: FieldPath): boolean { return this.members.has(JSON.stringify(path)); }
  get size(): number { return this.members.size; }
  isEmpty(): boolean { return this.members.size === 0; }
  paths(): FieldPath[] { return [...this.members.values()].sort(comparePaths); }

  union(other: FieldSet): FieldSet { return new FieldSet([...this.members.values(), ...other.members.values()]); }
  difference(other: FieldSet): FieldSet { return new FieldSet([...this.members.values()].filter((p) => !other.has(p))); }
  intersection(other: FieldSet): FieldSet { return new FieldSet([...this.members.values()].filter((p) => other.has(p))); }

  /** The set plus every ancestor of its members (upstream's EnsureNamedFieldsAreMembers, for pruning). */
  withAncestors(): FieldSet {
    const out = new FieldSet();
    for (const p of this.members.values()) for (let i = 1; i <= p.length; i++) out.insert(p.slice(0, i));
    return out;
  }

  /** Drops the given paths and everything below them. */
  without(prefixes: FieldPath[]): FieldSet {
    return new FieldSet([...this.members.values()].filter((p) => !prefixes.some((q) => q.length <= p.length && q.every((e, i) => p[i] === e))));
  }

  /** The FieldsV1 object; keys in structured-merge-diff's order ("." first, then fields, keys, values). */
  toFieldsV1(): Record<string, unknown> {
    interface Node { member: boolean; children: Map<string, Node> }
    const root: Node = { member: false, children: new Map() };
    for (const p of this.members.values()) {
      let n = root;
      for (const pe of p) {
        let c = n.children.get(pe);
        if (!c) { c = { member: false, children: new Map() }; n.children.set(pe, c); }
        n = c;
      }
      n.member = true;
    }
    const emit = (n: Node, top: boolean): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      if (!top && n.member && n.children.size > 0) o['.'] = {};
      for (const pe of [...n.children.keys()].sort(comparePathElements)) o[pe] = emit(n.children.get(pe)!, false);
      return o;
    };
    return emit(root, true);
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (o: unknown, prefix: FieldPath) => {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`invalid FieldsV1 at ${formatPath(prefix)}`);
      const entries = Object.entries(o as Record<string, unknown>);
      if (entries.length === 0 && prefix.length > 0) set.insert(prefix);
      for (const [k, child] of entries) {
        if (k === '.') { if (prefix.length > 0) set.insert(prefix); continue; }
        if (!/^[fkvi]:/.test(k)) throw new Error(`invalid FieldsV1 path element ${JSON.stringify(k)}`);
        walk(child, [...prefix, k]);
      }
    };
    walk(v ?? {}, []);
    return set;
  }
}

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
/** A map-list item's element from its key fields (serialized with the key names sorted, as upstream). */
export function keyElement(keys: Record<string, unknown>): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(keys).sort()) sorted[k] = keys[k];
  return `k:${JSON.stringify(sorted)}`;
}

/** fieldpath.Path.String(): `.spec.containers[name="app"].image`, `[containerPort=80,protocol="TCP"]`, `[="x"]`. */
export function formatPath(path: FieldPath): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f': return '.' + body;
      case 'k': {
        const keys = JSON.parse(body) as Record<string, unknown>;
        return '[' + Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',') + ']';
      }
      case 'v': return `[=${body}]`;
      case 'i': return `[${body}]`;
      default: return pe;
    }
  }).join('');
}

const rank = (pe: PathElement) => 'fkvi'.indexOf(pe[0]);

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a), sb = typeof b === 'string' ? b : JSON.stringify(b);
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function comparePathElements(a: PathElement, b: PathElement): number {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const ba = a.slice(2), bb = b.slice(2);
  if (a[0] === 'f') return ba < bb ? -1 : ba > bb ? 1 : 0;
  try {
    const va = JSON.parse(ba) as unknown, vb = JSON.parse(bb) as unknown;
    if (a[0] === 'k') {
      const ea = Object.entries(va as Record<string, unknown>), eb = Object.entries(vb as Record<string, unknown>);
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        if (ea[i][0] !== eb[i][0]) return ea[i][0] < eb[i][0] ? -1 : 1;
        const c = compareValues(ea[i][1], eb[i][1]);
        if (c !== 0) return c;
      }
      return ea.length - eb.length;
    }
    return compareValues(va, vb);
  } catch {
    return ba < bb ? -1 : ba > bb ? 1 : 0;
  }
}

function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePathElements(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
