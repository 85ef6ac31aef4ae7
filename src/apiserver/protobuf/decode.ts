// Decodes Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf) into the JSON
// object a JSON client would have sent. kubectl's typed clients (`kubectl create secret|configmap|deployment|...`)
// send this format and never retry as JSON, so the apiserver decodes here and carries on as if JSON had arrived.
//
// Envelope (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the 4 magic bytes "k8s\0", then a
// runtime.Unknown {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw (the object's own message), 3: contentEncoding,
// 4: contentType}. The object message is decoded with the field tables in schema.ts.

import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import { ProtoReader, ProtobufWireError, WireType } from './wire.js';
import { type FieldSpec, type MessageSpec, type ValueType, messageSpec, rootMessageFor } from './schema.js';

export const KUBERNETES_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
/** Real objects nest about a dozen levels; the cap only stops hostile bodies from exhausting the stack. */
const MAX_DEPTH = 64;

export interface DecodedKubernetesObject {
  apiVersion: string;
  kind: string;
  /** The object as JSON would carry it, including apiVersion and kind. */
  object: Record<string, unknown>;
}

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isKubernetesProtobuf(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0].trim().toLowerCase() === KUBERNETES_PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes one protobuf-encoded object.
 * Throws 400 BadRequest for a body that is not a well-formed envelope, and 415 UnsupportedMediaType for a kind
 * whose protobuf schema we do not carry (the client should send JSON instead).
 */
export function decodeKubernetesProtobuf(body: Buffer): DecodedKubernetesObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest('the protobuf request body does not start with the Kubernetes protobuf magic bytes "k8s\\x00"');
  }
  try {
    const envelope = readEnvelope(body.subarray(MAGIC.length));
    if (!envelope.apiVersion || !envelope.kind) {
      throw badRequest('the protobuf request body does not name the apiVersion and kind of its object');
    }
    if (envelope.contentEncoding) {
      throw badRequest(`protobuf request bodies with content encoding "${envelope.contentEncoding}" are not supported`);
    }
    // Upstream's encoder always writes the raw object; a body without it was cut short.
    if (!envelope.raw) throw badRequest('the protobuf request body carries no object');
    const root = rootMessageFor(envelope.apiVersion, envelope.kind);
    if (!root) {
      throw unsupportedMediaType(envelope.kind,
        `the server cannot decode ${KUBERNETES_PROTOBUF_MEDIA_TYPE} bodies for ${envelope.apiVersion}, Kind=${envelope.kind}; send application/json instead`);
    }
    const fields = decodeMessage(envelope.raw, messageSpec(root), 0);
    const object = { apiVersion: envelope.apiVersion, kind: envelope.kind, ...fields };
    return { apiVersion: envelope.apiVersion, kind: envelope.kind, object };
  } catch (e) {
    if (e instanceof ProtobufWireError) throw badRequest(`the protobuf request body could not be decoded: ${e.message}`);
    throw e;
  }
}

interface Envelope { apiVersion: string; kind: string; raw?: Buffer; contentEncoding: string }

function readEnvelope(buf: Buffer): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', contentEncoding: '' };
  const r = new ProtoReader(buf);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    if (wireType !== WireType.LengthDelimited || field > 4) { r.skip(wireType); continue; }
    const value = r.bytes();
    if (field === 1) {
      const tm = new ProtoReader(value);
      while (!tm.eof()) {
        const t = tm.tag();
        if (t.wireType === WireType.LengthDelimited && t.field === 1) env.apiVersion = tm.string();
        else if (t.wireType === WireType.LengthDelimited && t.field === 2) env.kind = tm.string();
        else tm.skip(t.wireType);
      }
    } else if (field === 2) env.raw = value;
    else if (field === 3) env.contentEncoding = value.toString('utf8');
    // field 4 (contentType) names the raw encoding; it is empty for protobuf and unused here.
  }
  return env;
}

type Json = unknown;

function decodeMessage(buf: Buffer, spec: MessageSpec, depth: number): Record<string, Json> {
  if (depth > MAX_DEPTH) throw new ProtobufWireError(`messages nested deeper than ${MAX_DEPTH} levels`);
  const out: Record<string, Json> = {};
  const r = new ProtoReader(buf);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    const f = spec.fields.get(field);
    if (!f) { r.skip(wireType); continue; }

    if (f.map) {
      expectWire(spec, f, wireType, WireType.LengthDelimited);
      const [k, v] = decodeMapEntry(r.bytes(), spec, f, depth);
      const m = (out[f.name] ??= {}) as Record<string, Json>;
      m[k] = v;
    } else if (f.inline) {
      expectWire(spec, f, wireType, WireType.LengthDelimited);
      Object.assign(out, decodeMessage(r.bytes(), messageSpec((f.value as { name: string }).name), depth + 1));
    } else if (f.repeated) {
      const list = (out[f.name] ??= []) as Json[];
      if (isPackable(f.value) && wireType === WireType.LengthDelimited) {
        const packed = new ProtoReader(r.bytes());
        while (!packed.eof()) list.push(readVarintScalar(packed, f.value));
      } else {
        list.push(decodeValue(r, wireType, spec, f, depth, true));
      }
    } else {
      const v = decodeValue(r, wireType, spec, f, depth, f.presence);
      if (v === undefined) delete out[f.name];
      else if (isPlainObject(v) && isPlainObject(out[f.name])) Object.assign(out[f.name] as object, v); // proto merge
      else out[f.name] = v;
    }
  }
  return out;
}

/**
 * One value of field `f`. With `keepZero` false (a non-pointer Go field), zero values and empty messages
 * decode to undefined so they are left out, as omitempty would leave them out of JSON.
 */
function decodeValue(r: ProtoReader, wireType: WireType, spec: MessageSpec, f: FieldSpec, depth: number, keepZero: boolean): Json {
  const t = f.value;
  if (t.kind === 'scalar') {
    if (t.scalar === 's' || t.scalar === 'y') {
      expectWire(spec, f, wireType, WireType.LengthDelimited);
      const b = r.bytes();
      if (b.length === 0 && !keepZero) return undefined;
      return t.scalar === 's' ? b.toString('utf8') : b.toString('base64');
    }
    expectWire(spec, f, wireType, WireType.Varint);
    const v = readVarintScalar(r, t);
    return v === 0 || v === false ? (keepZero ? v : undefined) : v;
  }
  expectWire(spec, f, wireType, WireType.LengthDelimited);
  const b = r.bytes();
  if (t.kind === 'wellKnown') return decodeWellKnown(t.name, b, keepZero);
  const obj = decodeMessage(b, messageSpec(t.name), depth + 1);
  return Object.keys(obj).length === 0 && !keepZero ? undefined : obj;
}

function decodeMapEntry(buf: Buffer, spec: MessageSpec, f: FieldSpec, depth: number): [string, Json] {
  let key = '';
  let value: Json = undefined;
  const r = new ProtoReader(buf);
  while (!r.eof()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) key = r.string();
    else if (field === 2) value = decodeValue(r, wireType, spec, f, depth, true);
    else r.skip(wireType);
  }
  // An entry without a value carries the value type's zero value.
  if (value === undefined) value = zeroValue(f.value);
  return [key, value];
}

function zeroValue(t: ValueType): Json {
  if (t.kind === 'scalar') return t.scalar === 's' || t.scalar === 'y' ? '' : t.scalar === 'b' ? false : 0;
  if (t.kind === 'wellKnown') return t.name === 'Quantity' ? '0' : t.name === 'IntOrString' ? 0 : null;
  return {};
}

function isPackable(t: ValueType): boolean {
  return t.kind === 'scalar' && (t.scalar === 'i32' || t.scalar === 'i64' || t.scalar === 'b');
}

function readVarintScalar(r: ProtoReader, t: ValueType): number | boolean {
  if (t.kind !== 'scalar') throw new ProtobufWireError('internal: varint read for a non-scalar field');
  if (t.scalar === 'b') return r.bool();
  return t.scalar === 'i32' ? r.int32() : r.int64();
}

function expectWire(spec: MessageSpec, f: FieldSpec, got: WireType, want: WireType): void {
  if (got !== want) throw new ProtobufWireError(`${spec.name}.${f.name} (field ${f.number}) has wire type ${got}, expected ${want}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// --- well-known messages with their own JSON form

function decodeWellKnown(name: string, buf: Buffer, keepZero: boolean): Json {
  switch (name) {
    case 'Time': return decodeTime(buf);
    case 'Quantity': {
      // resource.Quantity {1: string}; JSON is the string itself ("500m", "1Gi").
      const s = readStringField(buf, 1);
      return s ? s : keepZero ? '0' : undefined;
    }
    case 'IntOrString': {
      // intstr.IntOrString {1: type (0 Int, 1 String), 2: intVal, 3: strVal}; JSON is the bare int or string.
      let type = 0, intVal = 0, strVal = '';
      const r = new ProtoReader(buf);
      while (!r.eof()) {
        const t = r.tag();
        if (t.field === 1 && t.wireType === WireType.Varint) type = r.int64();
        else if (t.field === 2 && t.wireType === WireType.Varint) intVal = r.int32();
        else if (t.field === 3 && t.wireType === WireType.LengthDelimited) strVal = r.string();
        else r.skip(t.wireType);
      }
      if (type === 1) return strVal === '' && !keepZero ? undefined : strVal;
      return intVal === 0 && !keepZero ? undefined : intVal;
    }
    case 'FieldsV1': {
      // meta/v1 FieldsV1 {1: Raw}; Raw is JSON text, rendered inline as the object it encodes.
      const raw = readBytesField(buf, 1);
      if (!raw || raw.length === 0) return keepZero ? {} : undefined;
      try { return JSON.parse(raw.toString('utf8')); } catch {
        throw new ProtobufWireError('managedFields fieldsV1 is not valid JSON');
      }
    }
    default: throw new ProtobufWireError(`internal: no decoder for ${name}`);
  }
}

/**
 * meta/v1 Time {1: seconds, 2: nanos} → RFC 3339 in UTC with whole seconds, as upstream's Time keeps only
 * seconds. Upstream writes a zero Time as an empty message, which means "unset" (JSON null): left out.
 */
function decodeTime(buf: Buffer): Json {
  if (buf.length === 0) return undefined;
  let seconds = 0;
  const r = new ProtoReader(buf);
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1 && t.wireType === WireType.Varint) seconds = r.int64();
    else r.skip(t.wireType);
  }
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtobufWireError(`timestamp ${seconds} is out of range`);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readBytesField(buf: Buffer, field: number): Buffer | undefined {
  let out: Buffer | undefined;
  const r = new ProtoReader(buf);
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === field && t.wireType === WireType.LengthDelimited) out = r.bytes();
    else r.skip(t.wireType);
  }
  return out;
}

function readStringField(buf: Buffer, field: number): string {
  return readBytesField(buf, field)?.toString('utf8') ?? '';
}
