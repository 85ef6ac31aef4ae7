// A minimal reader for the protobuf wire format (https://protobuf.dev/programming-guides/encoding/).
// It knows nothing about Kubernetes: it turns bytes into (field number, wire type, value) steps.
// Every read is bounds-checked; a body that ends early or is otherwise malformed throws
// ProtobufWireError, which the caller turns into a 400.

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export class ProtobufWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufWireError';
  }
}

export interface FieldTag { field: number; wireType: WireType }

export class ProtoReader {
  private pos: number;
  private readonly end: number;

  constructor(private readonly buf: Buffer, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  /** True when every byte of the message has been consumed. */
  eof(): boolean { return this.pos >= this.end; }

  /** Reads the next field key. Field number 0 is invalid in protobuf. */
  tag(): FieldTag {
    const key = this.uint64();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType > 5) throw new ProtobufWireError(`invalid wire type ${wireType}`);
    if (field === 0 || field > 0x1fffffff) throw new ProtobufWireError(`invalid field number ${field}`);
    return { field, wireType: wireType as WireType };
  }

  /** An unsigned varint of up to 64 bits. */
  uint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufWireError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufWireError('varint longer than 10 bytes');
  }

  /** proto int64: two's complement in a varint. Values beyond 2^53 lose precision, as they would in JSON. */
  int64(): number { return Number(BigInt.asIntN(64, this.uint64())); }

  /** proto int32: negative values are sign-extended to 64 bits on the wire; the low 32 bits are the value. */
  int32(): number { return Number(BigInt.asIntN(32, this.uint64())); }

  bool(): boolean { return this.uint64() !== 0n; }

  fixed32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The payload of a length-delimited field, as a view on the underlying buffer (no copy). */
  bytes(): Buffer {
    const len = this.uint64();
    if (len > BigInt(this.end - this.pos)) throw new ProtobufWireError('length-delimited field runs past the end of its message');
    const n = Number(len);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string { return this.bytes().toString('utf8'); }

  /** Skips the value of a field we do not know, whatever its wire type. */
  skip(wireType: WireType): void {
    switch (wireType) {
      case WireType.Varint: this.uint64(); return;
      case WireType.Fixed64: this.need(8); this.pos += 8; return;
      case WireType.LengthDelimited: this.bytes(); return;
      case WireType.Fixed32: this.need(4); this.pos += 4; return;
      case WireType.StartGroup: {
        // Deprecated groups: skip nested fields until the matching end-group key.
        for (;;) {
          if (this.eof()) throw new ProtobufWireError('unterminated group');
          const t = this.tag();
          if (t.wireType === WireType.EndGroup) return;
          this.skip(t.wireType);
        }
      }
      default: throw new ProtobufWireError(`unexpected wire type ${wireType}`);
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new ProtobufWireError('truncated fixed-width field');
  }
}
