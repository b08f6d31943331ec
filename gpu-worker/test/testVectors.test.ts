/**
 * Replays the exporter's test vectors (PyTorch ground truth) through the worker's own path:
 * JS tokenizer -> encoder.onnx -> hypernet.onnx under onnxruntime-node.
 * T2L_REPLAY_BUNDLE=<bundle dir> replays another bundle's vectors (e.g. the shipped default)
 * instead of the test bundle's and its int8 export's.
 */
import { readFileSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Bundle } from "../src/bundle/bundle.js";
import { loadBundle } from "../src/bundle/loadBundles.js";
import { descriptionSha256, normalizeDescription } from "../src/normalize.js";
import { TINY_BUNDLE_DIR, TINY_INT8_BUNDLE_DIR } from "./support/paths.js";

interface TensorSummary {
  shape: number[];
  sum: number;
  abs_sum: number;
  head: number[];
  tail: number[];
}

interface TestVectors {
  schema: string;
  bundle: string;
  max_abs_error: { embedding: number; lora: number };
  vectors: {
    description: string;
    normalized: string;
    description_sha256: string;
    input_ids: number[];
    embedding: number[];
    lora: Record<string, { A: TensorSummary; B: TensorSummary }>;
  }[];
}

// The float32 test bundle and its int8 export (its vectors carry the int8 bound).
const BUNDLE_DIRS = process.env.T2L_REPLAY_BUNDLE ? [process.env.T2L_REPLAY_BUNDLE] : [TINY_BUNDLE_DIR, TINY_INT8_BUNDLE_DIR];

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

function expectSummary(actual: Float32Array, expected: TensorSummary, tolerance: number): void {
  expect(actual.length).toBe(expected.shape.reduce((x, y) => x * y, 1));
  expect(maxAbsDiff(actual.subarray(0, expected.head.length), expected.head)).toBeLessThanOrEqual(tolerance);
  expect(maxAbsDiff(actual.subarray(actual.length - expected.tail.length), expected.tail)).toBeLessThanOrEqual(tolerance);
  let sum = 0;
  let absSum = 0;
  for (const v of actual) {
    sum += v;
    absSum += Math.abs(v);
  }
  expect(Math.abs(sum - expected.sum)).toBeLessThanOrEqual(tolerance * actual.length);
  expect(Math.abs(absSum - expected.abs_sum)).toBeLessThanOrEqual(tolerance * actual.length);
}

describe.each(BUNDLE_DIRS)("the worker replays the exporter's test vectors of %s", (bundleDir) => {
  const vectors = JSON.parse(readFileSync(`${bundleDir}/test_vectors.json`, "utf8")) as TestVectors;
  let bundle: Bundle;

  beforeAll(async () => {
    bundle = await loadBundle(bundleDir, { providers: "cpu", intraOpThreads: 1 });
  });
  afterAll(() => bundle?.dispose());

  it("belongs to this bundle", () => {
    expect(vectors.schema).toBe("t2l.test_vectors/v1");
    expect(vectors.bundle).toBe(bundle.id);
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(vectors.vectors.map((v) => [v.normalized.slice(0, 40), v] as const))("%s", (_label, vector) => {
    it("normalises and hashes like the trainer", () => {
      expect(normalizeDescription(vector.description)).toBe(vector.normalized);
      expect(descriptionSha256(vector.normalized)).toBe(vector.description_sha256);
    });

    it("tokenises to the same ids, truncation included", () => {
      expect(bundle.tokenizer.encode(vector.normalized)).toEqual(vector.input_ids);
    });

    it("embeds within the stated bound", async () => {
      const embedding = await bundle.embed([vector.normalized]);
      expect(maxAbsDiff(embedding, vector.embedding)).toBeLessThanOrEqual(vectors.max_abs_error.embedding);
    });

    it("generates LoRA tensors matching PyTorch's checksums and slices", async () => {
      const [lora] = await bundle.generate([vector.normalized]);
      for (const [module, expected] of Object.entries(vector.lora)) {
        const weights = lora!.get(module)!;
        expectSummary(weights.loraA, expected.A, vectors.max_abs_error.lora);
        expectSummary(weights.loraB, expected.B, vectors.max_abs_error.lora);
      }
    });
  });
});
