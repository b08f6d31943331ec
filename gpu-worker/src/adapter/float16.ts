/**
 * float32 -> IEEE 754 binary16 with round-to-nearest-even, matching numpy's `astype(float16)`
 * and torch's `.half()`: overflow goes to infinity, tiny values to signed zero or subnormals,
 * NaN stays NaN (quiet).
 *
 * Bit-level method after F. Giesen's `float_to_half_fast3_rtne`: normal results round by adding
 * 0xfff plus the lowest kept mantissa bit before shifting; subnormal results let a float32
 * addition of 0.5 do the rounding (the float32 ulp at 0.5 is the float16 subnormal step, 2^-24).
 * It runs on Int32 views so V8 stays on its small-integer fast path (~1.5 ms per 460k values).
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Int32Array(scratchFloat.buffer);
const ABOVE_HALF_MAX = 0x47800000; // 65536.0f: rounds to infinity from here up
const HALF_NORMAL_MIN = 0x38800000; // 2^-14: below this the result is subnormal or zero
const POINT_FIVE = 0x3f000000; // 0.5f

/** Writes the float16 bit patterns of `source` into `target` (same length). */
export function float32ToFloat16(source: Float32Array, target: Uint16Array): void {
  if (target.length !== source.length) throw new RangeError("float16 target length must equal source length");
  const bits = new Int32Array(source.buffer, source.byteOffset, source.length);
  for (let i = 0; i < bits.length; i += 1) {
    let x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    x &= 0x7fffffff;
    let half: number;
    if (x >= ABOVE_HALF_MAX) {
      half = x > 0x7f800000 ? 0x7e00 : 0x7c00; // NaN -> quiet NaN, else infinity
    } else if (x < HALF_NORMAL_MIN) {
      scratchBits[0] = x;
      scratchFloat[0] = scratchFloat[0]! + 0.5;
      half = scratchBits[0]! - POINT_FIVE;
    } else {
      // Rebias the exponent (127 -> 15) and round to nearest even in one integer addition.
      half = (x - 0x37fff001 + ((x >> 13) & 1)) >> 13;
    }
    target[i] = half | sign;
  }
}

/** One value: `bits` is the float32 bit pattern (signed or unsigned 32-bit integer). */
export function float32BitsToFloat16Bits(bits: number): number {
  oneBits[0] = bits;
  float32ToFloat16(oneFloat, oneHalf);
  return oneHalf[0]!;
}
const oneFloat = new Float32Array(1);
const oneBits = new Int32Array(oneFloat.buffer);
const oneHalf = new Uint16Array(1);

/** Exact float16 -> float32 decode (used by tests and by readers of our own files). */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
