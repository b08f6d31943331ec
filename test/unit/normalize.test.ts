import { describe, expect, it } from "vitest";
import vectors from "../../trainer/tests/data/normalization_vectors.json";
import { codePointLength, descriptionSha256, MAX_NORMALIZED_CHARS, normalizeDescription } from "../../src/lib/normalize";

// The same vectors the trainer and the gpu-worker replay (docs/CONVENTIONS.md).
describe("description normalisation (nfc-trim-collapse/v1)", () => {
  it.each(vectors.valid.map((v, i) => [i, v] as const))("normalises vector %i", async (_, vector) => {
    const normalized = normalizeDescription(vector.input);
    expect(normalized).toBe(vector.normalized);
    expect(await descriptionSha256(normalized)).toBe(vector.sha256);
    expect(codePointLength(normalized)).toBeLessThanOrEqual(MAX_NORMALIZED_CHARS);
  });

  it.each(vectors.invalid.map((v) => [v.error, v] as const))("flags invalid input (%s)", (_, vector) => {
    const length = codePointLength(normalizeDescription(vector.input));
    expect(length === 0 || length > MAX_NORMALIZED_CHARS).toBe(true);
  });
});
