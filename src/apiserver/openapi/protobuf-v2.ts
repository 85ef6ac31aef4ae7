// /openapi/v2 in protobuf: our Swagger 2.0 document (JSON, from openapiV2) encoded as gnostic's openapi.v2.Document
// message (github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto), which is what kubectl asks for with
// Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf. Only the parts of the message our documents
// use are written: info, paths with their operations, parameters and responses, definitions (schemas with
// properties, items, additionalProperties, enum, required) and the security entries. Vendor extensions
// (x-kubernetes-*) are NamedAny values whose Any carries the value as YAML text, as gnostic writes them and
// kube-openapi reads them (JSON is YAML).

/**
 * The content type upstream answers with (kube-openapi's handler): kubectl asks with the older spelling
 * (…spec.v2@v1.0+protobuf), which Go's mime parser cannot read back, so the reply uses …spec.v2.v1.0+protobuf.
 */
export const OPENAPI_V2_PROTOBUF_MEDIA_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** A protobuf message under construction: fields appended in order as encoded bytes. */
class Message {
  private readonly parts: Buffer[] = [];
  private size = 0;

  private push(b: Buffer): void { this.parts.push(b); this.size += b.length; }

  private key(field: number, wireType: number): void { this.varint((field << 3) | wireType); }

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    this.push(Buffer.from(bytes));
  }

  /** A string field; proto3 leaves the empty string out. */
  string(field: number, s: unknown): this {
    if (typeof s !== 'string' || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.key(field, 2); this.varint(b.length); this.push(b);
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') {
      const b = Buffer.from(s, 'utf8');
      this.key(field, 2); this.varint(b.length); this.push(b);
    }
    return this;
  }

  bool(field: number, v: unknown): this {
    if (v === true) { this.key(field, 0); this.varint(1); }
    return this;
  }

  int64(field: number, v: unknown): this {
    if (typeof v === 'number' && v !== 0) { this.key(field, 0); this.varint(v); }
    return this;
  }

  double(field: number, v: unknown): this {
    if (typeof v !== 'number' || v === 0) return this;
    const b = Buffer.alloc(8); b.writeDoubleLE(v);
    this.key(field, 1); this.push(b);
    return this;
  }

  /** An embedded message; always written (presence selects a oneof member). */
  message(field: number, m: Message | undefined): this {
    if (!m) return this;
    const b = m.finish();
    this.key(field, 2); this.varint(b.length); this.push(b);
    return this;
  }

  finish(): Buffer { return Buffer.concat(this.parts, this.size); }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** openapi.v2.Any: the value as YAML text (field 2). */
function anyValue(value: unknown): Message {
  return new Message().string(2, JSON.stringify(value) ?? 'null');
}

/** repeated NamedAny vendor_extension: every x- key of `obj`. */
function vendorExtensions(m: Message, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('x-')) m.message(field, new Message().string(1, k).message(2, anyValue(v)));
  }
}

function schema(s: Json): Message {
  const m = new Message()
    .string(1, s.$ref)
    .string(2, s.format)
    .string(3, s.title)
    .string(4, s.description);
  if (s.default !== undefined) m.message(5, anyValue(s.default));
  m.double(6, s.multipleOf).double(7, s.maximum).bool(8, s.exclusiveMaximum).double(9, s.minimum).bool(10, s.exclusiveMinimum)
    .int64(11, s.maxLength).int64(12, s.minLength).string(13, s.pattern).int64(14, s.maxItems).int64(15, s.minItems)
    .bool(16, s.uniqueItems).int64(17, s.maxProperties).int64(18, s.minProperties)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) m.message(20, anyValue(e));
  if (typeof s.additionalProperties === 'boolean') m.message(21, new Message().bool(2, s.additionalProperties));
  else if (isObject(s.additionalProperties)) m.message(21, new Message().message(1, schema(s.additionalProperties)));
  if (typeof s.type === 'string') m.message(22, new Message().string(1, s.type));
  else if (Array.isArray(s.type)) m.message(22, new Message().strings(1, s.type));
  if (isObject(s.items)) m.message(23, new Message().message(1, schema(s.items)));
  else if (Array.isArray(s.items)) {
    const items = new Message();
    for (const i of s.items) if (isObject(i)) items.message(1, schema(i));
    m.message(23, items);
  }
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) m.message(24, schema(a));
  if (isObject(s.properties)) {
    const props = new Message();
    for (const [name, p] of Object.entries(s.properties)) if (isObject(p)) props.message(1, new Message().string(1, name).message(2, schema(p)));
    m.message(25, props);
  }
  m.string(26, s.discriminator).bool(27, s.readOnly);
  if (s.example !== undefined) m.message(30, anyValue(s.example));
  vendorExtensions(m, 31, s);
  return m;
}

function parameter(p: Json): Message {
  if (typeof p.$ref === 'string') return new Message().message(2, new Message().string(1, p.$ref)); // ParametersItem.json_reference
  let param: Message;
  if (p.in === 'body') {
    param = new Message().message(1, new Message()
      .string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required)
      .message(5, isObject(p.schema) ? schema(p.schema) : undefined));
  } else {
    // Query, path, header and formData sub-schemas share their first fields but number the rest differently.
    const sub = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
    let oneof: number;
    if (p.in === 'query' || p.in === 'formData') {
      oneof = p.in === 'query' ? 3 : 2;
      sub.bool(5, p.allowEmptyValue).string(6, p.type).string(7, p.format).bool(20, p.uniqueItems);
    } else {
      oneof = p.in === 'path' ? 4 : 1;
      sub.string(5, p.type).string(6, p.format).bool(19, p.uniqueItems);
    }
    vendorExtensions(sub, oneof === 3 || oneof === 2 ? 23 : 22, p);
    param = new Message().message(2, new Message().message(oneof, sub));
  }
  return new Message().message(1, param); // ParametersItem.parameter
}

function operation(o: Json): Message {
  const m = new Message().strings(1, o.tags).string(2, o.summary).string(3, o.description).string(5, o.operationId)
    .strings(6, o.produces).strings(7, o.consumes);
  if (Array.isArray(o.parameters)) for (const p of o.parameters) if (isObject(p)) m.message(8, parameter(p));
  if (isObject(o.responses)) {
    const responses = new Message();
    for (const [code, r] of Object.entries(o.responses)) {
      if (!isObject(r)) continue;
      const response = new Message().string(1, r.description);
      if (isObject(r.schema)) response.message(2, new Message().message(1, schema(r.schema)));
      responses.message(1, new Message().string(1, code).message(2, new Message().message(1, response)));
    }
    m.message(9, responses);
  }
  m.strings(10, o.schemes).bool(11, o.deprecated);
  vendorExtensions(m, 13, o);
  return m;
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** Encodes a Swagger 2.0 document (parsed JSON) as an openapi.v2.Document. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const m = new Message().string(1, doc.swagger);
  if (isObject(doc.info)) m.message(2, new Message().string(1, doc.info.title).string(2, doc.info.version).string(3, doc.info.description));
  m.string(3, doc.host).string(4, doc.basePath).strings(5, doc.schemes).strings(6, doc.consumes).strings(7, doc.produces);
  if (isObject(doc.paths)) {
    const paths = new Message();
    for (const [p, item] of Object.entries(doc.paths)) {
      if (!isObject(item)) continue;
      const pi = new Message().string(1, item.$ref);
      for (const [method, field] of Object.entries(METHOD_FIELDS)) if (isObject(item[method])) pi.message(field, operation(item[method] as Json));
      if (Array.isArray(item.parameters)) for (const prm of item.parameters) if (isObject(prm)) pi.message(9, parameter(prm));
      vendorExtensions(pi, 10, item);
      paths.message(2, new Message().string(1, p).message(2, pi));
    }
    m.message(8, paths);
  }
  if (isObject(doc.definitions)) {
    const defs = new Message();
    for (const [name, s] of Object.entries(doc.definitions)) if (isObject(s)) defs.message(1, new Message().string(1, name).message(2, schema(s)));
    m.message(9, defs);
  }
  if (Array.isArray(doc.security)) {
    for (const req of doc.security) {
      if (!isObject(req)) continue;
      const r = new Message();
      for (const [name, scopes] of Object.entries(req)) r.message(1, new Message().string(1, name).message(2, new Message().strings(1, scopes)));
      m.message(12, r);
    }
  }
  if (isObject(doc.securityDefinitions)) {
    const sd = new Message();
    for (const [name, d] of Object.entries(doc.securityDefinitions)) {
      if (!isObject(d) || d.type !== 'apiKey') continue; // the only kind our documents declare
      const key = new Message().string(1, d.type).string(2, d.name).string(3, d.in).string(4, d.description);
      sd.message(1, new Message().string(1, name).message(2, new Message().message(2, key)));
    }
    m.message(13, sd);
  }
  vendorExtensions(m, 16, doc);
  return m.finish();
}
