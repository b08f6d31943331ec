import { describe, expect, it } from "vitest";

import { decodeSafetensors, encodeSafetensors } from "../src/adapter/safetensors.js";

const tensors = [
  { name: "a", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
  { name: "b", shape: [1], data: new Float32Array([-0.5]) },
];

describe("safetensors writer", () => {
  it.each(["float32", "float16"] as const)("lays out %s tensors the reader understands", (dtype) => {
    const file = encodeSafetensors(tensors, dtype, { format: "pt", bundle: "x@1" });
    const headerLength = Number(file.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const { metadata, tensors: decoded } = decodeSafetensors(file);
    expect(metadata).toEqual({ format: "pt", bundle: "x@1" });
    const bytes = dtype === "float32" ? 4 : 2;
    expect(decoded.get("a")).toMatchObject({ dtype: dtype === "float32" ? "F32" : "F16", shape: [2, 3] });
    expect(decoded.get("a")!.bytes.length).toBe(6 * bytes);
    expect(file.length).toBe(8 + headerLength + 7 * bytes);
    const b = decoded.get("b")!.bytes;
    const value = dtype === "float32" ? new DataView(b.buffer, b.byteOffset).getFloat32(0, true) : new DataView(b.buffer, b.byteOffset).getUint16(0, true);
    expect(value).toBe(dtype === "float32" ? -0.5 : 0xb800);
  });

  it("is deterministic byte for byte", () => {
    const one = encodeSafetensors(tensors, "float16", { format: "pt" });
    const two = encodeSafetensors(tensors, "float16", { format: "pt" });
    expect(one.equals(two)).toBe(true);
  });

  it("writes float16 bit patterns it is given as they are, the same bytes as converting on write", () => {
    const converted = [
      { name: "a", shape: [2, 3], data: Uint16Array.from([0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600]) },
      { name: "b", shape: [1], data: Uint16Array.from([0xb800]) },
    ];
    expect(encodeSafetensors(converted, "float16", { format: "pt" }).equals(encodeSafetensors(tensors, "float16", { format: "pt" }))).toBe(true);
  });

  it.each([
    ["float16 bit patterns in a float32 file", [{ name: "a", shape: [1], data: new Uint16Array(1) }], /float16 data for a float32 file/],
    ["a shape that disagrees with the data", [{ name: "a", shape: [4], data: new Float32Array(3) }], /needs 4 values/],
    ["a duplicate name", [tensors[1]!, tensors[1]!], /duplicate/],
  ])("refuses %s", (_name, bad, message) => {
    expect(() => encodeSafetensors(bad, "float32", {})).toThrow(message);
  });
});
