import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { codePointLength, descriptionSha256, MAX_DESCRIPTION_CHARS, normalizeDescription } from "../src/normalize.js";
import { NORMALIZATION_VECTORS } from "./support/paths.js";

interface Vectors {
  rule: string;
  max_chars: number;
  valid: { input: string; normalized: string; sha256: string }[];
  invalid: { input: string; error: "empty" | "too_long" }[];
}

const vectors = JSON.parse(readFileSync(NORMALIZATION_VECTORS, "utf8")) as Vectors;

describe("description normalisation replays the trainer's vectors", () => {
  it("pins the same rule and limit", () => {
    expect(vectors.rule).toBe("nfc-trim-collapse/v1");
    expect(vectors.max_chars).toBe(MAX_DESCRIPTION_CHARS);
  });

  it.each(vectors.valid)("normalises %j", ({ input, normalized, sha256 }) => {
    expect(normalizeDescription(input)).toBe(normalized);
    expect(descriptionSha256(normalizeDescription(input))).toBe(sha256);
  });

  it.each(vectors.invalid)("refuses %j", ({ input, error }) => {
    const length = codePointLength(normalizeDescription(input));
    if (error === "empty") expect(length).toBe(0);
    else expect(length).toBeGreaterThan(MAX_DESCRIPTION_CHARS);
  });

  it("counts code points, not UTF-16 units", () => {
    expect(codePointLength("😀".repeat(3))).toBe(3);
  });
});
