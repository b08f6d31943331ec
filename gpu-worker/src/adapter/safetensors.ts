/**
 * safetensors writer: 8-byte little-endian header length, a JSON header of
 * {name: {dtype, shape, data_offsets}} plus `__metadata__`, then the raw little-endian data.
 * The header is space-padded so the data starts 8-byte aligned, as the reference writer does.
 */
import { float32ToFloat16 } from "./float16.js";

export type TensorDtype = "float16" | "float32";

export interface TensorSource {
  name: string;
  shape: readonly number[];
  /**
   * Row-major values: float32 (converted on write when the dtype is float16), or float16 bit
   * patterns already converted (float16 files only).
   */
  data: Float32Array | Uint16Array;
}

const DTYPE_TAG: Record<TensorDtype, { tag: string; bytes: number }> = {
  float16: { tag: "F16", bytes: 2 },
  float32: { tag: "F32", bytes: 4 },
};

export function encodeSafetensors(
  tensors: readonly TensorSource[],
  dtype: TensorDtype,
  metadata: Record<string, string>,
): Buffer {
  const { tag, bytes } = DTYPE_TAG[dtype];
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new RangeError(`tensor ${tensor.name}: shape [${tensor.shape}] needs ${elements} values, got ${tensor.data.length}`);
    }
    if (tensor.name in header) throw new RangeError(`duplicate tensor name ${tensor.name}`);
    header[tensor.name] = { dtype: tag, shape: tensor.shape, data_offsets: [offset, offset + elements * bytes] };
    offset += elements * bytes;
  }

  const json = Buffer.from(JSON.stringify(header), "utf8");
  const headerLength = Math.ceil(json.length / 8) * 8;
  const file = Buffer.allocUnsafe(8 + headerLength + offset);
  file.writeBigUInt64LE(BigInt(headerLength), 0);
  json.copy(file, 8);
  file.fill(0x20, 8 + json.length, 8 + headerLength);

  const dataStart = 8 + headerLength;
  let cursor = dataStart;
  for (const tensor of tensors) {
    const byteLength = tensor.data.length * bytes;
    if (tensor.data instanceof Uint16Array) {
      if (dtype !== "float16") throw new RangeError(`tensor ${tensor.name}: float16 data for a ${dtype} file`);
      file.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, byteLength), cursor);
    } else if (dtype === "float32") {
      file.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, byteLength), cursor);
    } else {
      // dataStart and every tensor size are multiples of 2, so this view is aligned.
      float32ToFloat16(tensor.data, new Uint16Array(file.buffer, file.byteOffset + cursor, tensor.data.length));
    }
    cursor += byteLength;
  }
  return file;
}

export interface DecodedTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Reader for tests and the benchmark's checks; validates the layout it relies on. */
export function decodeSafetensors(file: Uint8Array): { metadata: Record<string, string>; tensors: Map<string, DecodedTensor> } {
  const view = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = Number(view.readBigUInt64LE(0));
  const header = JSON.parse(view.subarray(8, 8 + headerLength).toString("utf8")) as Record<string, unknown>;
  const { __metadata__: metadata = {}, ...entries } = header as { __metadata__?: Record<string, string> };
  const tensors = new Map<string, DecodedTensor>();
  const dataStart = 8 + headerLength;
  for (const [name, raw] of Object.entries(entries)) {
    const entry = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const [begin, end] = entry.data_offsets;
    if (dataStart + end > view.length) throw new RangeError(`tensor ${name} runs past the end of the file`);
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, bytes: view.subarray(dataStart + begin, dataStart + end) });
  }
  return { metadata, tensors };
}
