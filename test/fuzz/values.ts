// Hostile values and the JSON text that carries them. Some values have no JavaScript form (1e400, -0 as written,
// integers past 2^53): they travel as Raw and are spliced into the serialized text verbatim.
import type { Prng } from './prng.js';

export class Raw { constructor(readonly text: string) {} }

const RAW_MARK = '\u0001raw:';

/** JSON.stringify that writes Raw values verbatim (and so may produce invalid JSON on purpose). */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => (v instanceof Raw ? `${RAW_MARK}${raws.push(v.text) - 1}` : v));
  return text.replace(/"\\u0001raw:(\d+)"/g, (_m, i) => raws[Number(i)]);
}

/** A long string, built once. */
const long = 'x'.repeat(70_000);

/** Values of the wrong type, out of range, or shaped to confuse a decoder, for any field. */
export function hostileValue(r: Prng): unknown {
  switch (r.int(34)) {
    case 0: return null;
    case 1: return true;
    case 2: return 0;
    case 3: return -1;
    case 4: return 1.5;
    case 5: return new Raw('1e400');
    case 6: return new Raw('-1e400');
    case 7: return new Raw('9007199254740993');
    case 8: return new Raw('-0');
    case 9: return new Raw('123456789012345678901234567890');
    case 10: return Number.MAX_SAFE_INTEGER;
    case 11: return -2147483649;
    case 12: return 'NaN';
    case 13: return 'Infinity';
    case 14: return '-Infinity';
    case 15: return '';
    case 16: return ' ';
    case 17: return '\u0000';
    case 18: return '\ud800';
    case 19: return long.slice(0, r.pick([64, 254, 1025, 70_000]));
    case 20: return {};
    case 21: return [];
    case 22: return [null];
    case 23: return { '': null };
    case 24: return JSON.parse('{"__proto__":{"polluted":"yes"}}');
    case 25: return { constructor: { prototype: { polluted: 'yes' } } };
    case 26: return [[[]], {}, 'a', 1];
    case 27: return '1e3';
    case 28: return '0x10';
    case 29: return '\u202egnp.exe';
    case 30: return r.junk(20);
    case 31: return { a: { b: { c: { d: { e: [1, { f: null }] } } } } };
    case 32: return new Raw('1.0');
    default: return [hostileValue(r), hostileValue(r)];
  }
}

/** Every path (as keys) to a value inside obj, objects and arrays included, the root excluded. */
export function fieldPaths(obj: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (obj === null || typeof obj !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(obj) ? obj.map((v, i) => [i, v]) : Object.entries(obj);
  for (const [k, v] of entries) {
    const p = [...prefix, k];
    out.push(p);
    fieldPaths(v, p, out);
  }
  return out;
}

export function clone<T>(v: T): T { return JSON.parse(JSON.stringify(v)) as T; }

/** Sets (or deletes, for value === DELETE) the value at path in obj. */
export const DELETE = Symbol('delete');
export function setPath(obj: any, path: (string | number)[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) { if (o === null || typeof o !== 'object') return; o = o[k]; }
  if (o === null || typeof o !== 'object') return;
  const last = path[path.length - 1];
  if (value === DELETE) { if (Array.isArray(o)) o.splice(Number(last), 1); else delete o[last]; }
  else Object.defineProperty(o, last, { value, enumerable: true, writable: true, configurable: true });
}

/** Keys that name properties every JavaScript object has, or that look like directives. */
export const trickyKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '$patch', '$retainKeys',
  '', ' ', 'a.b', 'a/b', '~1', '\u0000', 'ſ', 'x'.repeat(300), 'apiVersion', 'kind', 'metadata'];
