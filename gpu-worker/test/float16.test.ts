import { describe, expect, it } from "vitest";

import { float16BitsToNumber, float32BitsToFloat16Bits, float32ToFloat16 } from "../src/adapter/float16.js";

const f32Bits = (value: number) => new Uint32Array(new Float32Array([value]).buffer)[0]!;
const toHalf = (value: number) => float32BitsToFloat16Bits(f32Bits(value));

describe("float32 -> float16 (round to nearest, ties to even)", () => {
  it("round-trips every finite float16 exactly", () => {
    for (let h = 0; h < 0x10000; h += 1) {
      const value = float16BitsToNumber(h);
      if (Number.isNaN(value)) continue;
      expect(toHalf(value)).toBe(h);
    }
  });

  it("sends each midpoint between neighbours to the even one, and just past it upward", () => {
    for (let h = 0; h < 0x7bff; h += 1) {
      const low = float16BitsToNumber(h);
      const high = float16BitsToNumber(h + 1);
      const middle = (low + high) / 2; // exact in float32: float16 has 11 significant bits
      const even = h % 2 === 0 ? h : h + 1;
      expect(toHalf(middle)).toBe(even);
      const above = new Float32Array([middle]);
      new Uint32Array(above.buffer)[0]! += 1;
      expect(float32BitsToFloat16Bits(new Uint32Array(above.buffer)[0]!)).toBe(h + 1);
    }
  });

  it.each([
    ["65519 rounds down to max", 65519, 0x7bff],
    ["65520 overflows to infinity", 65520, 0x7c00],
    ["-1e9 is -infinity", -1e9, 0xfc00],
    ["Infinity", Infinity, 0x7c00],
    ["-0 keeps its sign", -0, 0x8000],
    ["half the smallest subnormal ties to zero", 2 ** -25, 0x0000],
    ["just above it rounds to the smallest subnormal", 2 ** -25 * 1.0001, 0x0001],
    ["1/3", 1 / 3, 0x3555],
  ])("%s", (_name, value, expected) => {
    expect(toHalf(value)).toBe(expected);
  });

  it("keeps NaN a NaN", () => {
    const half = toHalf(NaN);
    expect(half & 0x7c00).toBe(0x7c00);
    expect(half & 0x3ff).not.toBe(0);
  });

  it("converts arrays and checks their lengths", () => {
    const target = new Uint16Array(3);
    float32ToFloat16(new Float32Array([1, -2, 0.5]), target);
    expect([...target]).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(() => float32ToFloat16(new Float32Array(2), new Uint16Array(3))).toThrow(RangeError);
  });
});
