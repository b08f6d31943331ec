/** ONNX Runtime's Cast, the fast float16 path, against the JavaScript reference converter. */
import { afterAll, describe, expect, it } from "vitest";

import { float32ToFloat16 } from "../src/adapter/float16.js";
import { Float16Cast } from "../src/adapter/float16Cast.js";

const cast = new Float16Cast();
afterAll(() => cast.dispose());

function reference(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  float32ToFloat16(values, out);
  return out;
}

describe("Float16Cast", () => {
  it("gives the reference bits for every float16 value, every midpoint and its neighbours", async () => {
    // Each float16 bit pattern h as float32, plus the float32 values around the midpoint of h, h+1.
    const bits = new Uint32Array(0x10000 * 4);
    const f32 = new Float32Array(bits.buffer);
    const scratch = new Float32Array(1);
    const scratchBits = new Uint32Array(scratch.buffer);
    for (let h = 0; h < 0x10000; h += 1) {
      const exponent = (h >>> 10) & 0x1f;
      const mantissa = h & 0x3ff;
      const magnitude = exponent === 0 ? mantissa * 2 ** -24 : (1 + mantissa / 1024) * 2 ** (exponent - 15);
      scratch[0] = (h & 0x8000 ? -1 : 1) * magnitude;
      const midpoint = scratchBits[0]! + (exponent === 0 ? 0 : 1 << 12); // half a float16 ulp above
      bits.set([scratchBits[0]!, midpoint - 1, midpoint, midpoint + 1], h * 4);
    }
    const finite = f32.filter((v) => !Number.isNaN(v));
    const fast = (await cast.convert([finite]))[0]!;
    const slow = reference(finite);
    const first = fast.findIndex((half, i) => half !== slow[i]);
    expect(first, `first difference at ${finite[first]}`).toBe(-1);
  });

  it("gives the reference bits on random float32 bit patterns, and NaN stays NaN", async () => {
    const bits = Uint32Array.from({ length: 1 << 18 }, () => Math.floor(Math.random() * 2 ** 32));
    const values = new Float32Array(bits.buffer);
    const fast = (await cast.convert([values]))[0]!;
    const slow = reference(values);
    for (let i = 0; i < values.length; i += 1) {
      if (Number.isNaN(values[i])) {
        expect(fast[i]! & 0x7c00).toBe(0x7c00);
        expect(fast[i]! & 0x3ff).not.toBe(0);
      } else if (fast[i] !== slow[i]) {
        expect.fail(`bits 0x${bits[i]!.toString(16)}: cast 0x${fast[i]!.toString(16)}, reference 0x${slow[i]!.toString(16)}`);
      }
    }
  });

  it("converts several arrays of different lengths in one call, subarrays from their own offset", async () => {
    const values = Float32Array.from([1, 2, 3, 0.5, -0.25]);
    const halves = await cast.convert([values.subarray(2, 4), values, new Float32Array(0)]);
    expect(halves.map((half) => [...half])).toEqual([[0x4200, 0x3800], [0x3c00, 0x4000, 0x4200, 0x3800, 0xb400], []]);
    expect(await cast.convert([])).toEqual([]);
  });
});
