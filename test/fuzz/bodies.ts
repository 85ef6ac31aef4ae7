// Request bodies: broken JSON, wrong types at every field path, duplicate keys, broken YAML, broken protobuf, deep
// nesting and bodies over the size limit.
import { stringify as toYaml } from 'yaml';
import type { FuzzCase } from './case.js';
import type { Prng } from './prng.js';
import { fixtures, type Fixture } from './fixtures.js';
import { DELETE, Raw, clone, fieldPaths, hostileValue, setPath, toJsonText, trickyKeys } from './values.js';

const fx = fixtures();
const json = { 'content-type': 'application/json' };
let serial = 0;
const fresh = () => `fz-${(serial++).toString(36)}`;

/** POST to the collection (a fresh name) or PUT over the fixture, half of them as dry runs. */
function write(r: Prng, f: Fixture, obj: Record<string, any>): { method: string; path: string } {
  const dry = r.chance(0.8) ? '?dryRun=All' : '';
  if (r.chance(0.6)) {
    if (obj?.metadata && typeof obj.metadata === 'object' && obj.metadata.name === f.name) obj.metadata.name = fresh();
    return { method: 'POST', path: f.path + dry };
  }
  return { method: 'PUT', path: `${f.path}/${f.name}${dry}` };
}

/** Valid objects cut short, with bytes flipped, or wrapped in junk. */
export function brokenJson(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.pick(fx);
    const obj = clone(f.object);
    const target = write(r, f, obj);
    let text = JSON.stringify(obj);
    switch (r.int(8)) {
      case 0: text = text.slice(0, r.int(text.length)); break;
      case 1: { const b = Buffer.from(text); for (let k = r.range(1, 4); k > 0; k--) b[r.int(b.length)] = r.int(256); text = b.toString('latin1'); break; }
      case 2: text = text.replace(/"/g, () => (r.chance(0.05) ? "'" : '"')); break;
      case 3: text = text + r.pick([',', '}', ']', '{}', ' garbage', '\u0000', '\n---\n{}']); break;
      case 4: text = r.pick(['', ' ', 'null', 'true', '0', '"str"', '[]', '[{}]', '{', '}', '{"a":}', '{"a" 1}', '{,}', '{"apiVersion":"v1",}', '\ufeff{}', '/*c*/{}', '{"kind":"Pod"}{"kind":"Pod"}']); break;
      case 5: { const at = r.int(text.length); text = text.slice(0, at) + r.junk(6) + text.slice(at); break; }
      case 6: text = text.replace(/:/g, () => (r.chance(0.1) ? '=' : ':')); break;
      default: text = Buffer.from(text, 'utf8').toString('utf16le'); break;
    }
    out.push({ category: 'json-broken', ...target, headers: json, body: text });
  }
  return out;
}

/** One to three field paths of a Pod, Deployment, ConfigMap or Service replaced, removed or joined by tricky keys. */
export function wrongTypes(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const paths = new Map(fx.map((f) => [f, fieldPaths(f.object)]));
  for (let i = 0; i < n; i++) {
    const f = fx[i % fx.length];
    const all = paths.get(f)!;
    const obj = clone(f.object);
    for (let k = r.range(1, 3); k > 0; k--) {
      const p = r.chance(0.5) ? all[(i >> 2) % all.length] : r.pick(all); // every path in turn, and random ones
      const roll = r.int(10);
      if (roll === 0) setPath(obj, p, DELETE);
      else if (roll === 1) setPath(obj, [...p, r.pick(trickyKeys)], hostileValue(r));
      else setPath(obj, p, hostileValue(r));
    }
    const target = write(r, f, obj);
    out.push({ category: 'wrong-types', ...target, headers: json, body: toJsonText(obj) });
  }
  return out;
}

/** A key repeated with another value somewhere in the object, under each fieldValidation. */
export function duplicateKeys(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.pick(fx);
    const obj = clone(f.object);
    const target = write(r, f, obj);
    let text = toJsonText(obj);
    // Repeat a random "key": occurrence right after itself, with a hostile value.
    const keys = [...text.matchAll(/"([A-Za-z]+)":/g)];
    for (let k = r.range(1, 3); k > 0 && keys.length; k--) {
      const m = r.pick(keys);
      text = text.replace(m[0], `${m[0]}${toJsonText(hostileValue(r))},${m[0]}`);
    }
    const fv = r.pick(['', 'Strict', 'Warn', 'Ignore', 'strict', 'garbage']);
    const sep = target.path.includes('?') ? '&' : '?';
    out.push({ category: 'duplicate-keys', method: target.method, path: fv ? `${target.path}${sep}fieldValidation=${fv}` : target.path, headers: json, body: text });
  }
  return out;
}

const yamlTypes = ['application/yaml', 'application/x-yaml', 'text/yaml', 'application/json'];

/** YAML bodies: cut short, bad indentation, alias bombs, exotic tags, many documents. */
export function brokenYaml(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const f = r.pick(fx);
    const obj = clone(f.object);
    const target = write(r, f, obj);
    let text = toYaml(obj);
    switch (r.int(12)) {
      case 0: text = text.slice(0, r.int(text.length)); break;
      case 1: text = text.replace(/\n {2}/g, () => (r.chance(0.2) ? '\n\t' : '\n  ')); break;
      case 2: text = text.replace(/\n {2}/g, () => (r.chance(0.2) ? '\n   ' : '\n  ')); break;
      case 3: text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + Array.from({ length: 9 }, (_, k) => `${String.fromCharCode(98 + k)}: &${String.fromCharCode(98 + k)} [${Array(9).fill(`*${String.fromCharCode(97 + k)}`).join(',')}]`).join('\n') + '\n' + text; break;
      case 4: text = text.replace('metadata:', r.pick(['metadata: !!binary aGVsbG8=\nx:', 'metadata: !!js/function "function(){}"\nx:', 'metadata: !<tag:yaml.org,2002:set>\n  ? a\nx:', 'metadata: !!timestamp 2001-12-14\nx:'])); break;
      case 5: text = `base: &b\n  name: merged\n${text.replace('metadata:', 'metadata:\n  <<: *b')}`; break;
      case 6: text = `${text}---\n${text}`; break;
      case 7: text = r.pick(['', '---', '~', 'null', '- a\n- b', 'just a string', '%YAML 2.0\n---\na: 1', '? [a, b]\n: c', '{a: 1, a: 2}', 'a: *unknown', '"unterminated', 'a:\n  - b\n c: d', '\ufeffa: 1', `${'k'.repeat(2000)}: v`]); break;
      case 8: text = text.replace(/: (\w+)/, (_m, v) => `: ${r.pick(['.nan', '.inf', '-.inf', '0o777', '0x1F', '1_000', 'yes', 'no', 'on', '~', '2001-12-14t21:59:43.10-05:00', `"${v}\\x00"`, `'${v}''`, '!!int "x"', '!!float abc'])}`); break;
      case 9: { const at = r.int(text.length); text = text.slice(0, at) + r.pick([':', '- ', '{', '[', '&', '*', '!', '|', '>', '%', '@', '`', '#', '\t', '\r', '\u0085']) + text.slice(at); break; }
      case 10: text = text.replace(/\n/g, () => (r.chance(0.3) ? '\r' : '\n')); break;
      default: text = text.replace(/name: .*/, `name: ${toJsonText(hostileValue(r))}`); break;
    }
    out.push({ category: 'yaml-broken', ...target, headers: { 'content-type': r.pick(yamlTypes) }, body: text });
  }
  return out;
}

// Protobuf wire encoding, enough to write the Kubernetes envelope (magic "k8s\0" + runtime.Unknown).
function varint(n: number | bigint): Buffer {
  let v = BigInt(n); const b: number[] = [];
  if (v < 0n) v &= (1n << 64n) - 1n;
  do { let byte = Number(v & 0x7fn); v >>= 7n; if (v) byte |= 0x80; b.push(byte); } while (v);
  return Buffer.from(b);
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const lenField = (field: number, body: Buffer | string) => { const b = Buffer.from(body); return Buffer.concat([tag(field, 2), varint(b.length), b]); };
/** `inner` wrapped in field 1 `depth` times, built in one pass (wrapping one level at a time copies O(depth²) bytes). */
function nestedField1(depth: number, inner: Buffer): Buffer {
  const heads: Buffer[] = [];
  let len = inner.length;
  for (let d = 0; d < depth; d++) { const h = Buffer.concat([tag(1, 2), varint(len)]); heads.push(h); len += h.length; }
  return Buffer.concat([...heads.reverse(), inner]);
}
const MAGIC = Buffer.from('k8s\u0000', 'latin1');
function envelope(apiVersion: string, kind: string, raw: Buffer, extra: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([MAGIC, lenField(1, Buffer.concat([lenField(1, apiVersion), lenField(2, kind)])), lenField(2, raw), extra]);
}
/** A ConfigMap message: metadata{name, namespace}, data map entries. */
function configMapMessage(name: string): Buffer {
  const meta = Buffer.concat([lenField(1, name), lenField(3, 'fuzz')]);
  const entry = Buffer.concat([lenField(1, 'a'), lenField(2, 'b')]);
  return Buffer.concat([lenField(1, meta), lenField(2, entry)]);
}

/** Protobuf bodies: random bytes, envelopes cut short, bad varints, lengths past the end, wrong wire types, deep messages. */
export function brokenProtobuf(r: Prng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const targets = [
    { path: '/api/v1/namespaces/fuzz/configmaps', av: 'v1', kind: 'ConfigMap' },
    { path: '/api/v1/namespaces/fuzz/pods', av: 'v1', kind: 'Pod' },
    { path: '/apis/apps/v1/namespaces/fuzz/deployments', av: 'apps/v1', kind: 'Deployment' },
    { path: '/api/v1/namespaces/fuzz/services', av: 'v1', kind: 'Service' },
  ];
  for (let i = 0; i < n; i++) {
    const t = r.pick(targets);
    const good = envelope(t.av, t.kind, configMapMessage(fresh()));
    let body: Buffer;
    switch (r.int(11)) {
      case 0: body = r.bytes(r.int(200)); break;
      case 1: body = Buffer.concat([MAGIC, r.bytes(r.int(200))]); break;
      case 2: body = good.subarray(0, r.int(good.length)); break;
      case 3: { body = Buffer.from(good); for (let k = r.range(1, 4); k > 0; k--) body[4 + r.int(body.length - 4)] = r.int(256); break; }
      case 4: body = Buffer.concat([MAGIC, tag(2, 2), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]); break;
      case 5: body = Buffer.concat([MAGIC, tag(2, 2), varint(2 ** 31 + r.int(1000)), Buffer.from('abc')]); break;
      case 6: body = envelope(t.av, t.kind, Buffer.concat([tag(r.range(1, 3), r.pick([0, 1, 3, 4, 5, 6, 7])), r.bytes(8)])); break;
      case 7: body = envelope(t.av, t.kind, nestedField1(r.pick([70, 500, 5000]), lenField(1, 'x'))); break;
      case 8: body = envelope(r.pick([t.av, '', 'v9', 'x/y/z', '\u0000']), r.pick([t.kind, '', 'Nope', 'Status', 'List']), configMapMessage(fresh())); break;
      case 9: body = envelope(t.av, t.kind, configMapMessage(fresh()), lenField(3, r.pick(['gzip', 'x', '']))); break;
      default: body = envelope(t.av, t.kind, Buffer.concat([lenField(1, Buffer.concat([lenField(1, Buffer.from([0xc3, 0x28])), tag(5, 0), varint(-1n)])), r.bytes(4)])); break;
    }
    const dry = r.chance(0.5) ? '?dryRun=All' : '';
    out.push({ category: 'protobuf-broken', method: 'POST', path: t.path + dry, headers: { 'content-type': r.pick(['application/vnd.kubernetes.protobuf', 'application/vnd.kubernetes.protobuf; charset=x', 'application/vnd.kubernetes.protobuf;stream=watch']) }, body });
  }
  return out;
}

/** Nesting from just over the limit to a million levels, in every body format and patch type. */
export function deepNesting(r: Prng): FuzzCase[] {
  const out: FuzzCase[] = [];
  const depths = [1001, 5000, 100_000];
  for (const d of depths) {
    const arrays = '['.repeat(d) + ']'.repeat(d);
    const objects = '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    const cm = (inner: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-${d}","annotations":${inner}}}`;
    out.push({ category: 'deep-nesting', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: json, body: cm(arrays) });
    out.push({ category: 'deep-nesting', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: json, body: cm(objects) });
    out.push({ category: 'deep-nesting', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: json, body: arrays });
    out.push({ category: 'deep-nesting', method: 'PUT', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: json, body: cm(objects).replace(`deep-${d}`, 'fx-cm') });
    out.push({ category: 'deep-nesting', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: { 'content-type': 'application/yaml' }, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  annotations: ${arrays}\n` });
    out.push({ category: 'deep-nesting', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: { 'content-type': 'application/yaml' }, body: `a:${Array.from({ length: Math.min(d, 1500) }, (_, k) => `\n${' '.repeat(k + 1)}- `).join('')}x\n` });
    out.push({ category: 'deep-nesting', method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: { 'content-type': 'application/merge-patch+json' }, body: `{"metadata":{"annotations":${objects}}}` });
    out.push({ category: 'deep-nesting', method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: `{"data":${objects}}` });
    out.push({ category: 'deep-nesting', method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: { 'content-type': 'application/json-patch+json' }, body: `[{"op":"add","path":"/metadata/annotations/x","value":${arrays}}]` });
    out.push({ category: 'deep-nesting', method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm?fieldManager=fuzz', headers: { 'content-type': 'application/apply-patch+yaml' }, body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fx-cm","annotations":${objects}}}` });
    out.push({ category: 'deep-nesting', method: 'GET', path: `/api/v1/namespaces/fuzz/pods?labelSelector=${encodeURIComponent('('.repeat(Math.min(d, 4000)))}` });
    const pb = nestedField1(Math.min(d, 20_000), Buffer.from('x'));
    out.push({ category: 'deep-nesting', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: envelope('v1', 'ConfigMap', pb) });
  }
  void r;
  return out;
}

/** Bodies over the 3 MiB limit: declared, chunked, in every content type; each must get a 413 (or a closed connection). */
export function hugeBodies(): FuzzCase[] {
  const big = 3 * 1024 * 1024 + 1;
  const cmText = (size: number) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge"},"data":{"a":"${'x'.repeat(size)}"}}`;
  return [
    { category: 'huge-bodies', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: json, body: cmText(big), expect: [413], mayReset: true },
    { category: 'huge-bodies', method: 'PUT', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: { 'content-type': 'application/yaml' }, body: cmText(big + 100), expect: [413], mayReset: true },
    { category: 'huge-bodies', method: 'PATCH', path: '/api/v1/namespaces/fuzz/configmaps/fx-cm', headers: { 'content-type': 'application/merge-patch+json' }, body: cmText(5 * 1024 * 1024), expect: [413], mayReset: true },
    { category: 'huge-bodies', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: Buffer.concat([MAGIC, Buffer.alloc(big)]), expect: [413], mayReset: true },
    // A small declared length over the limit, with no body sent: the answer must not wait for it.
    { category: 'huge-bodies', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps', raw: Buffer.from(`POST /api/v1/namespaces/fuzz/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024 * 1024}\r\nConnection: close\r\n\r\n{`), expect: [413], mayReset: true },
    // Under the limit: accepted as a normal large ConfigMap would be (a 422 for the 1 MiB data limit).
    { category: 'huge-bodies', method: 'POST', path: '/api/v1/namespaces/fuzz/configmaps?dryRun=All', headers: json, body: cmText(2 * 1024 * 1024), expect: [422] },
  ];
}
