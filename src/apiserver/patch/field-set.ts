// Sets of field paths, as structured-merge-diff's fieldpath.Set, and their wire form, FieldsV1 (the value of
// managedFields[].fieldsV1). A path is a list of path elements in FieldsV1's own spelling:
//   f:<name>        a field of a struct or a key of a map          ("f:spec", "f:app")
//   k:<json>        an item of a map-list, by its keys (sorted)    ('k:{"containerPort":5000,"protocol":"TCP"}')
//   v:<json>        an item of a set-list, by value                ('v:"example.com/finalizer"')
//   i:<n>           an item of a list by index (not produced here)
// In FieldsV1 a member without children is `{}`; a member with children also has `".": {}`.

export type PathElement = string;
export type FieldPath = PathElement[];

/**
 * A node of the path trie: one path element below its parent. `member` says the path ending here is in the set.
 * Invariant kept by every operation: a node that is not a member has at least one child (no dangling branches),
 * so the trie's shape is exactly the FieldsV1 tree. Children keep their first-insertion order.
 */
interface TrieNode {
  member: boolean;
  children: Map<PathElement, TrieNode> | undefined;
}

const newNode = (member = false): TrieNode => ({ member, children: undefined });
const isLive = (n: TrieNode): boolean => n.member || (n.children !== undefined && n.children.size > 0);

function copyNode(n: TrieNode): TrieNode {
  const out = newNode(n.member);
  if (n.children && n.children.size > 0) {
    out.children = new Map();
    for (const [pe, c] of n.children) out.children.set(pe, copyNode(c));
  }
  return out;
}

function countMembers(n: TrieNode): number {
  let count = n.member ? 1 : 0;
  if (n.children) for (const c of n.children.values()) count += countMembers(c);
  return count;
}

/** a ∪ b (b's new members after a's, as inserting a's paths then b's would order them). */
function unionNodes(a: TrieNode, b: TrieNode): TrieNode {
  const out = copyNode(a);
  mergeInto(out, b);
  return out;
}

function mergeInto(target: TrieNode, src: TrieNode): void {
  if (src.member) target.member = true;
  if (!src.children) return;
  for (const [pe, sc] of src.children) {
    const tc = target.children?.get(pe);
    if (tc) mergeInto(tc, sc);
    else (target.children ??= new Map()).set(pe, copyNode(sc));
  }
}

/** a − b, or a ∩ b when `keep` is true; undefined when the result has no members. */
function filterNodes(a: TrieNode, b: TrieNode | undefined, keep: boolean, isRoot: boolean): TrieNode | undefined {
  if (!keep && b === undefined) return copyNode(a);
  const out = newNode(keep ? a.member && b!.member : a.member && !b!.member);
  if (a.children) {
    for (const [pe, ac] of a.children) {
      const bc = b?.children?.get(pe);
      if (keep && bc === undefined) continue;
      const c = filterNodes(ac, bc, keep, false);
      if (c) (out.children ??= new Map()).set(pe, c);
    }
  }
  return isRoot || isLive(out) ? out : undefined;
}

export class FieldSet {
  /** The empty path's node; its `member` is the empty path itself (a root-level value). */
  private root: TrieNode = newNode();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  private static ofRoot(root: TrieNode): FieldSet {
    const set = new FieldSet();
    set.root = root;
    return set;
  }

  insert(path: FieldPath): void {
    let n = this.root;
    for (const pe of path) {
      let c = n.children?.get(pe);
      if (!c) { c = newNode(); (n.children ??= new Map()).set(pe, c); }
      n = c;
    }
    n.member = true;
  }

  has(path: FieldPath): boolean {
    let n: TrieNode | undefined = this.root;
    for (const pe of path) if (!(n = n.children?.get(pe))) return false;
    return n.member;
  }

  get size(): number { return countMembers(this.root); }
  isEmpty(): boolean { return !isLive(this.root); }

  /** Members in structured-merge-diff's order (parents before children, siblings by comparePathElements). */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const prefix: FieldPath = [];
    const walk = (n: TrieNode) => {
      if (n.member) out.push(prefix.slice());
      if (!n.children) return;
      for (const pe of sortedKeys(n.children)) {
        prefix.push(pe);
        walk(n.children.get(pe)!);
        prefix.pop();
      }
    };
    walk(this.root);
    return out;
  }

  union(other: FieldSet): FieldSet { return FieldSet.ofRoot(unionNodes(this.root, other.root)); }
  difference(other: FieldSet): FieldSet { return FieldSet.ofRoot(filterNodes(this.root, other.root, false, true)!); }
  intersection(other: FieldSet): FieldSet { return FieldSet.ofRoot(filterNodes(this.root, other.root, true, true)!); }

  /** The set plus every ancestor of its members (upstream's EnsureNamedFieldsAreMembers, for pruning). */
  withAncestors(): FieldSet {
    // Every non-root node lies on the way to a member (the trie invariant); the empty path is not an ancestor.
    const mark = (n: TrieNode): TrieNode => {
      const out = newNode(true);
      if (n.children && n.children.size > 0) {
        out.children = new Map();
        for (const [pe, c] of n.children) out.children.set(pe, mark(c));
      }
      return out;
    };
    const root = mark(this.root);
    root.member = false;
    return FieldSet.ofRoot(root);
  }

  /** Drops the given paths and everything below them. */
  without(prefixes: FieldPath[]): FieldSet {
    const root = copyNode(this.root);
    for (const q of prefixes) {
      if (q.length === 0) return new FieldSet();
      // Find q's node, then cut it and every ancestor left without members.
      const trail: TrieNode[] = [root];
      let n: TrieNode | undefined = root;
      for (const pe of q) {
        n = n.children?.get(pe);
        if (!n) break;
        trail.push(n);
      }
      if (!n) continue;
      for (let i = q.length - 1; i >= 0; i--) {
        const parent = trail[i];
        parent.children!.delete(q[i]);
        if (i === 0 || isLive(parent)) break;
      }
    }
    return FieldSet.ofRoot(root);
  }

  /** The FieldsV1 object; keys in structured-merge-diff's order ("." first, then fields, keys, values). */
  toFieldsV1(): Record<string, unknown> {
    const emit = (n: TrieNode, top: boolean): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      if (!n.children || n.children.size === 0) return o;
      if (!top && n.member) o['.'] = {};
      for (const pe of sortedKeys(n.children)) o[pe] = emit(n.children.get(pe)!, false);
      return o;
    };
    return emit(this.root, true);
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const root = newNode();
    const prefix: FieldPath = [];
    const walk = (o: unknown, n: TrieNode) => {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`invalid FieldsV1 at ${formatPath(prefix)}`);
      let empty = true;
      for (const k in o) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
        empty = false;
        if (k === '.') { if (n !== root) n.member = true; continue; }
        if (!isPathElementSpelling(k)) throw new Error(`invalid FieldsV1 path element ${JSON.stringify(k)}`);
        let c = n.children?.get(k);
        if (!c) { c = newNode(); (n.children ??= new Map()).set(k, c); }
        prefix.push(k);
        walk((o as Record<string, unknown>)[k], c);
        prefix.pop();
      }
      if (empty && n !== root) n.member = true;
    };
    walk(v ?? {}, root);
    return FieldSet.ofRoot(root);
  }
}

/** /^[fkvi]:/ */
function isPathElementSpelling(k: string): boolean {
  const c = k.charCodeAt(0);
  return k.charCodeAt(1) === 58 /* : */ && (c === 102 || c === 107 || c === 118 || c === 105); // f k v i
}

function sortedKeys(children: Map<PathElement, TrieNode>): PathElement[] {
  const keys = [...children.keys()];
  if (keys.length > 1) keys.sort(comparePathElements);
  return keys;
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

/**
 * Parsed bodies of "k:"/"v:"/"i:" elements, so sorting parses each spelling once. A "k:" element maps to its
 * entries, others to their value; UNPARSABLE when the body is not JSON (or, for "k:", not entries-able), in
 * which case elements compare as strings. Bounded: cleared when full.
 */
const UNPARSABLE = Symbol('unparsable');
const parsedBodies = new Map<PathElement, unknown>();
const MAX_PARSED_BODIES = 10_000;

function parsedBody(pe: PathElement, asKeys: boolean): unknown {
  let v = parsedBodies.get(pe);
  if (v === undefined) {
    try {
      const parsed = JSON.parse(pe.slice(2)) as unknown;
      v = asKeys ? Object.entries(parsed as Record<string, unknown>) : parsed;
    } catch {
      v = UNPARSABLE;
    }
    if (parsedBodies.size >= MAX_PARSED_BODIES) parsedBodies.clear();
    parsedBodies.set(pe, v);
  }
  return v;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  // Same kind: equal "x:" prefixes, so whole strings order as their bodies do.
  const sameColon = a.charCodeAt(1) === 58 && b.charCodeAt(1) === 58;
  if (a[0] === 'f') return sameColon ? compareStrings(a, b) : compareStrings(a.slice(2), b.slice(2));
  if (a === b) return 0;
  const isKey = a[0] === 'k';
  // (The cache is keyed by the whole element, so a "k:" and a non-"k:" spelling never share an entry.)
  const va = parsedBody(a, isKey), vb = parsedBody(b, isKey);
  if (va === UNPARSABLE || vb === UNPARSABLE) return sameColon ? compareStrings(a, b) : compareStrings(a.slice(2), b.slice(2));
  if (isKey) {
    const ea = va as [string, unknown][], eb = vb as [string, unknown][];
    for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
      if (ea[i][0] !== eb[i][0]) return ea[i][0] < eb[i][0] ? -1 : 1;
      const c = compareValues(ea[i][1], eb[i][1]);
      if (c !== 0) return c;
    }
    return ea.length - eb.length;
  }
  return compareValues(va, vb);
}
