// Writes real safetensors files (8-byte little-endian header length, JSON header, raw
// little-endian tensor data) so the stand-in's adapters parse with any safetensors reader.

export interface TensorSpec {
  name: string;
  shape: number[];
  /** float32 values, row-major; length must equal the product of `shape`. */
  values: Float32Array;
}

export function writeSafetensors(tensors: TensorSpec[], metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== tensor.values.length) throw new Error(`${tensor.name}: shape ${tensor.shape.join("x")} needs ${count} values, got ${tensor.values.length}`);
    header[tensor.name] = { dtype: "F32", shape: tensor.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let headerJson = JSON.stringify(header);
  // The data section starts 8-byte aligned; the spec pads the header with spaces.
  headerJson += " ".repeat((8 - ((8 + Buffer.byteLength(headerJson)) % 8)) % 8);
  const headerBytes = Buffer.from(headerJson, "utf8");
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let cursor = 8 + headerBytes.length;
  for (const tensor of tensors) {
    for (const value of tensor.values) {
      out.writeFloatLE(value, cursor);
      cursor += 4;
    }
  }
  return out;
}

/** Parses the header back (tests check the stand-in's files are well-formed). */
export function readSafetensorsHeader(bytes: Uint8Array): Record<string, unknown> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
}
