// controller.ComputeHash: the pod-template-hash a Deployment names its ReplicaSets with. FNV-32a over the pod
// template plus the collision count, rendered as decimal and mapped through rand.SafeEncodeString's alphabet
// (no vowels, no 0/1/3, so no words and no look-alike characters). Upstream hashes Go's %#v dump of the struct;
// we hash a canonical JSON (sorted keys, nulls dropped), so the format matches (1-10 characters of the alphabet,
// usually 9-10) but not the exact value.

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted and null/undefined members dropped, so equal templates hash equally. */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as any)[k] !== null && (v as any)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character c becomes alphabet[c % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphabet[s.charCodeAt(i) % alphabet.length];
  return out;
}

export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(Buffer.from(canonicalJson(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
