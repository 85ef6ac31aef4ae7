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
 *
 * The set also keeps the order its members were first inserted in (`seq`), as the list of paths it replaces did,
 * because that order decides how elements that compare equal are laid out (see comparePathElements). Invariants
 * every operation keeps:
 * - a node that is not a member has at least one child (no dangling branches): the trie is the FieldsV1 tree;
 * - `min` is the smallest `seq` of the members in the node's subtree;
 * - a node's children are in increasing `min` order, i.e. in the order of their first member.
 *
 * Set operations share unchanged subtrees between their operands and results (so removing a few paths from a
 * large set costs little). Shared nodes are never modified: operations build new nodes on the paths they
 * change, and `insert` into a set whose nodes may be shared copies them first.
 */
interface TrieNode {
  member: boolean;
  seq: number;
  min: number;
  children: Map<PathElement, TrieNode> | undefined;
}

const NONE = Number.POSITIVE_INFINITY;
const newNode = (): TrieNode => ({ member: false, seq: NONE, min: NONE, children: undefined });
const isLive = (n: TrieNode): boolean => n.member || (n.children !== undefined && n.children.size > 0);
/** A new node with n's fields and a new (shallow) copy of its children map, for changing. */
const shallowCopy = (n: TrieNode): TrieNode => ({ member: n.member, seq: n.seq, min: n.min, children: n.children && new Map(n.children) });

/** Deep copy; seqs shifted by `offset` (a shift of 0 shares the subtree instead). */
function copyNode(n: TrieNode, offset: number, share: boolean): TrieNode {
  if (offset === 0 && share) return n;
  const out: TrieNode = { member: n.member, seq: n.seq + offset, min: n.min + offset, children: undefined };
  if (n.children && n.children.size > 0) {
    out.children = new Map();
    for (const [pe, c] of n.children) out.children.set(pe, copyNode(c, offset, share));
  }
  return out;
}

function countMembers(n: TrieNode): number {
  let count = n.member ? 1 : 0;
  if (n.children) for (const c of n.children.values()) count += countMembers(c);
  return count;
}

/**
 * Recomputes `min` of a new node from its own seq and its children's mins, and puts the children back in `min`
 * order when a removal or re-numbering changed it.
 */
function settle(n: TrieNode): void {
  let min = n.member ? n.seq : NONE;
  let ordered = true, last = -1;
  if (n.children) {
    for (const c of n.children.values()) {
      if (c.min < min) min = c.min;
      if (c.min < last) ordered = false;
      last = c.min;
    }
    if (!ordered) n.children = new Map([...n.children].sort((x, y) => x[1].min - y[1].min));
  }
  n.min = min;
}

/**
 * a ∪ b with b's members numbered after a's (`offset`); members in both keep a's place, so neither a's mins nor
 * its order change and b's new children are appended in b's (ordered) order. Returns `a` when b adds nothing.
 */
function unionNodes(a: TrieNode, b: TrieNode, offset: number): TrieNode {
  const addsMember = b.member && !a.member;
  let children = a.children, copied = false;
  if (b.children) {
    for (const [pe, bc] of b.children) {
      const ac = a.children?.get(pe);
      const c = ac ? unionNodes(ac, bc, offset) : copyNode(bc, offset, true);
      if (c === ac) continue;
      if (!copied) { children = new Map(a.children); copied = true; }
      children!.set(pe, c);
    }
  }
  if (!copied && !addsMember) return a;
  return {
    member: a.member || b.member, seq: addsMember ? b.seq + offset : a.seq,
    min: a.min === NONE ? b.min + offset : a.min, children,
  };
}

/**
 * a − b, or a ∩ b when `keep` is true: `a` itself when nothing is removed, undefined when nothing is left.
 */
function filterNodes(a: TrieNode, b: TrieNode, keep: boolean): TrieNode | undefined {
  const member = keep ? a.member && b.member : a.member && !b.member;
  let children: Map<PathElement, TrieNode> | undefined; // set once a child differs from a's
  if (a.children) {
    let i = 0;
    for (const [pe, ac] of a.children) {
      const bc = b.children?.get(pe);
      const c = bc === undefined ? (keep ? undefined : ac) : filterNodes(ac, bc, keep);
      if (children === undefined && c !== ac) {
        children = new Map();
        let j = 0;
        for (const [pe2, ac2] of a.children) { if (j++ === i) break; children.set(pe2, ac2); }
      }
      if (children !== undefined && c !== undefined) children.set(pe, c);
      i++;
    }
  }
  if (children === undefined && member === a.member) return a;
  const out: TrieNode = { member, seq: member ? a.seq : NONE, min: NONE, children: children ?? a.children };
  settle(out);
  return isLive(out) ? out : undefined;
}

function hasNode(root: TrieNode, path: FieldPath): boolean {
  let n: TrieNode | undefined = root;
  for (const pe of path) {
    n = n.children?.get(pe);
    if (!n) return false;
  }
  return true;
}

export class FieldSet {
  /** The empty path's node; its `member` is the empty path itself (a root-level value). */
  private root: TrieNode = newNode();
  /** The next member's insertion number. */
  private nextSeq = 0;
  /** Whether another set may hold some of this set's nodes (then insert copies them first). */
  private shared = false;
  /**
   * The FieldsV1 this set was decoded from, when that text is exactly what toFieldsV1 writes for it (ours always
   * is: stored entries were written by toFieldsV1), and the root it decoded to: while the set still has that root
   * (shared nodes are never changed), toFieldsV1 copies the source instead of sorting and building it again.
   */
  private source: { root: TrieNode; fieldsV1: Record<string, unknown> } | undefined;

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  /** A set over `root`, which may share nodes with the operands, which are marked as sharing too. */
  private static of(root: TrieNode, nextSeq: number, ...operands: FieldSet[]): FieldSet {
    const set = new FieldSet();
    set.root = root;
    set.nextSeq = nextSeq;
    set.shared = true;
    for (const o of operands) o.shared = true;
    const first = operands[0];
    if (first?.source && first.source.root === root) set.source = first.source;
    return set;
  }

  insert(path: FieldPath): void {
    this.source = undefined; // changes the root's nodes in place when they are not shared
    if (this.shared) { this.root = copyNode(this.root, 0, false); this.shared = false; }
    let n = this.root;
    for (const pe of path) {
      let c = n.children?.get(pe);
      if (!c) { c = newNode(); (n.children ??= new Map()).set(pe, c); }
      n = c;
    }
    if (n.member) return;
    n.member = true;
    n.seq = this.nextSeq++;
    // The new seq is the largest, so only nodes without members yet (the ones just created) take it as min.
    let m = this.root;
    if (m.min === NONE) m.min = n.seq;
    for (const pe of path) {
      m = m.children!.get(pe)!;
      if (m.min === NONE) m.min = n.seq;
    }
  }

  has(path: FieldPath): boolean {
    let n: TrieNode | undefined = this.root;
    for (const pe of path) {
      n = n.children?.get(pe);
      if (!n) return false;
    }
    return n.member;
  }

  get size(): number { return countMembers(this.root); }
  isEmpty(): boolean { return !isLive(this.root); }

  /** Members in structured-merge-diff's order (by comparePathElements, element by element; parents first). */
  paths(): FieldPath[] {
    const members: { seq: number; path: FieldPath }[] = [];
    const prefix: FieldPath = [];
    const walk = (n: TrieNode) => {
      if (n.member) members.push({ seq: n.seq, path: prefix.slice() });
      if (n.children) {
        for (const [pe, c] of n.children) {
          prefix.push(pe);
          walk(c);
          prefix.pop();
        }
      }
    };
    walk(this.root);
    // Sorted from insertion order, so equal-comparing paths keep it.
    return members.sort((x, y) => x.seq - y.seq).map((m) => m.path).sort(comparePaths);
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.of(unionNodes(this.root, other.root, this.nextSeq), this.nextSeq + other.nextSeq, this, other);
  }
  difference(other: FieldSet): FieldSet {
    return FieldSet.of(filterNodes(this.root, other.root, false) ?? newNode(), this.nextSeq, this);
  }
  intersection(other: FieldSet): FieldSet {
    return FieldSet.of(filterNodes(this.root, other.root, true) ?? newNode(), this.nextSeq, this);
  }

  /** The set plus every ancestor of its members (upstream's EnsureNamedFieldsAreMembers, for pruning). */
  withAncestors(): FieldSet {
    // Same shape (every non-root node lies on the way to a member); members numbered as inserting each member's
    // prefixes, shortest first, member by member, would number them. The empty path is nobody's ancestor.
    const trails: { seq: number; nodes: TrieNode[] }[] = [];
    const trail: TrieNode[] = [];
    const copy = (n: TrieNode): TrieNode => {
      const out = newNode();
      trail.push(out);
      if (n.member && trail.length > 1) trails.push({ seq: n.seq, nodes: trail.slice(1) });
      if (n.children && n.children.size > 0) {
        out.children = new Map();
        for (const [pe, c] of n.children) out.children.set(pe, copy(c));
      }
      trail.pop();
      return out;
    };
    const root = copy(this.root);
    let next = 0;
    for (const t of trails.sort((x, y) => x.seq - y.seq)) {
      for (const node of t.nodes) if (!node.member) { node.member = true; node.seq = next++; }
    }
    const settleAll = (n: TrieNode) => {
      if (n.children) for (const c of n.children.values()) settleAll(c);
      settle(n);
    };
    settleAll(root);
    const set = new FieldSet();
    set.root = root;
    set.nextSeq = next;
    return set;
  }

  /** Drops the given paths and everything below them. */
  without(prefixes: FieldPath[]): FieldSet {
    let root = this.root;
    const copies = new Set<TrieNode>(); // nodes made by this call, free to change
    const own = (n: TrieNode) => { if (copies.has(n)) return n; const c = shallowCopy(n); copies.add(c); return c; };
    for (const q of prefixes) {
      if (q.length === 0) return new FieldSet();
      if (!hasNode(root, q)) continue;
      // Copy the way down to q's parent, cut q, drop ancestors left without members, settle the rest.
      root = own(root);
      const trail = [root];
      for (let i = 0; i < q.length - 1; i++) {
        const c = own(trail[i].children!.get(q[i])!);
        trail[i].children!.set(q[i], c);
        trail.push(c);
      }
      let i = q.length - 1;
      for (; i >= 0; i--) {
        trail[i].children!.delete(q[i]);
        if (i === 0 || isLive(trail[i])) break;
      }
      for (; i >= 0; i--) settle(trail[i]);
    }
    return FieldSet.of(root, this.nextSeq, this);
  }

  /** The FieldsV1 object; keys in structured-merge-diff's order ("." first, then fields, keys, values). */
  toFieldsV1(): Record<string, unknown> {
    if (this.source && this.source.root === this.root) return copyFieldsV1(this.source.fieldsV1);
    const emit = (n: TrieNode, top: boolean): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      if (!n.children || n.children.size === 0) return o;
      if (!top && n.member) o['.'] = {};
      // Children are in first-member order; the sort is stable, so elements comparing equal keep that order.
      for (const pe of sortedKeys(n.children)) o[pe] = emit(n.children.get(pe)!, false);
      return o;
    };
    return emit(this.root, true);
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const set = new FieldSet();
    const root = set.root;
    const prefix: FieldPath = [];
    // Whether v is written as toFieldsV1 writes the set it decodes to: "." (as {}) first and only beside
    // children, never at the top; the other keys in comparePathElements order.
    let canonical = true;
    const mark = (n: TrieNode) => {
      if (n.member) return;
      n.member = true;
      n.seq = set.nextSeq++;
    };
    const walk = (o: unknown, n: TrieNode) => {
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`invalid FieldsV1 at ${formatPath(prefix)}`);
      let empty = true;
      let previous: string | undefined;
      for (const k in o) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
        if (k === '.') {
          if (!empty || n === root || !isEmptyFieldsObject((o as Record<string, unknown>)[k])) canonical = false;
          empty = false;
          if (n !== root) mark(n);
          continue;
        }
        empty = false;
        if (!isPathElementSpelling(k)) throw new Error(`invalid FieldsV1 path element ${JSON.stringify(k)}`);
        if (canonical && previous !== undefined && comparePathElements(previous, k) > 0) canonical = false;
        previous = k;
        let c = n.children?.get(k);
        if (!c) { c = newNode(); (n.children ??= new Map()).set(k, c); }
        prefix.push(k);
        walk((o as Record<string, unknown>)[k], c);
        prefix.pop();
      }
      if (n.member && n !== root && previous === undefined && !empty) canonical = false; // {".": {}} alone is {}
      if (empty && n !== root) mark(n);
      settle(n);
    };
    walk(v ?? {}, root);
    if (canonical && v !== undefined && v !== null) set.source = { root, fieldsV1: v as Record<string, unknown> };
    return set;
  }
}

/** A copy of FieldsV1 that fromFieldsV1 read (so: objects all the way down, "." values empty). */
function copyFieldsV1(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) out[k] = copyFieldsV1(o[k] as Record<string, unknown>);
  return out;
}

function isEmptyFieldsObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return false;
  return true;
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

/**
 * Field elements by name, so walks reuse one string per field name (cheap to build, and its hash is computed
 * once for every trie lookup). Bounded: cleared when full.
 */
const fieldElements = new Map<string, PathElement>();
const MAX_FIELD_ELEMENTS = 10_000;

export function fieldElement(name: string): PathElement {
  let pe = fieldElements.get(name);
  if (pe === undefined) {
    if (fieldElements.size >= MAX_FIELD_ELEMENTS) fieldElements.clear();
    pe = `f:${name}`;
    fieldElements.set(name, pe);
  }
  return pe;
}

export const valueElement = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;

/** A map-list item's element from its key fields (serialized with the key names sorted, as upstream). */
export function keyElement(keys: Record<string, unknown>): PathElement {
  // Built directly for the usual keys (names that are not array indexes or "__proto__", scalar values), which
  // an object with the names sorted would serialize to; anything else goes through that object.
  const names = Object.keys(keys);
  if (names.length > 1) names.sort();
  let body = '';
  for (const k of names) {
    const v = keys[k];
    const c = k.charCodeAt(0);
    if ((c >= 48 && c <= 57) || k === '__proto__' || !(v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      return keyElementViaObject(keys);
    }
    body += (body === '' ? '' : ',') + JSON.stringify(k) + ':' + JSON.stringify(v);
  }
  return `k:{${body}}`;
}

function keyElementViaObject(keys: Record<string, unknown>): PathElement {
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

/** 'fkvi'.indexOf(pe[0]): f < k < v < i, anything else (-1) first. */
function rank(pe: PathElement): number {
  switch (pe.charCodeAt(0)) {
    case 102: return 0; // f
    case 107: return 1; // k
    case 118: return 2; // v
    case 105: return 3; // i
    default: return -1;
  }
}

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
  // The common case first: two "f:" elements order as their names, i.e. as the whole strings.
  if (a.charCodeAt(0) === 102 && b.charCodeAt(0) === 102 && a.charCodeAt(1) === 58 && b.charCodeAt(1) === 58) return compareStrings(a, b);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  // Same kind: equal "x:" prefixes, so whole strings order as their bodies do.
  const sameColon = a.charCodeAt(1) === 58 && b.charCodeAt(1) === 58;
  if (a[0] === 'f') return sameColon ? compareStrings(a, b) : compareStrings(a.slice(2), b.slice(2));
  // (No shortcut for a === b: a body holding 1e999 compares as Infinity - Infinity, NaN, which sort reads as 0
  // but comparePaths does not.)
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

function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePathElements(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
