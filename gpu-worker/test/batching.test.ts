/**
 * Batched graph runs: token rows padded by their own length, the load-time batch-invariance
 * probe, and a batch giving every description the bytes it gets alone in either mode.
 */
import { createHash } from "node:crypto";
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Bundle, GeneratedLora } from "../src/bundle/bundle.js";
import { loadBundle } from "../src/bundle/loadBundles.js";
import { bucketLength, paddedRuns, padRows } from "../src/bundle/tokenBuckets.js";
import { BATCH_DEPENDENT_ENCODER, TINY_BUNDLE_DIR, TINY_INT8_BUNDLE_DIR } from "./support/paths.js";

const ORT = { providers: "cpu", intraOpThreads: 1 } as const;
// Token counts spread over several buckets, and more rows than any one bucket holds.
const DESCRIPTIONS = Array.from({ length: 10 }, (_, i) => `Task ${i}: ${"label the reviews ".repeat(1 + (i % 4))}by tone.`);

const loraBytes = (lora: GeneratedLora) =>
  [...lora].map(([name, w]) => `${name}:${hashOf(w.loraA)}:${hashOf(w.loraB)}`).join(",");
const hashOf = (data: Float32Array) => createHash("sha256").update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest("hex");

async function expectBatchEqualsAlone(bundle: Bundle): Promise<void> {
  const batched = (await bundle.generate(DESCRIPTIONS)).map(loraBytes);
  const alone: string[] = [];
  for (const description of DESCRIPTIONS) alone.push(loraBytes((await bundle.generate([description]))[0]!));
  expect(batched).toEqual(alone);
  expect(new Set(alone).size).toBe(DESCRIPTIONS.length);
}

describe("token buckets", () => {
  it.each([
    [1, 256, 4],
    [4, 256, 4],
    [5, 256, 8],
    [17, 256, 20],
    [253, 256, 256],
    [19, 19, 19],
    [17, 19, 19],
  ])("pads %i tokens (max_length %i) to %i", (tokens, maxLength, expected) => {
    expect(bucketLength(tokens, maxLength)).toBe(expected);
  });

  it("groups rows by padded length, zero-padding ids and masking the padding out", () => {
    const runs = paddedRuns([[101, 7, 102], [101, ...Array<number>(10).fill(5), 102], [101, 102]], 256);
    expect(runs.map((run) => [run.rows, run.length])).toEqual([
      [[0, 2], 4],
      [[1], 12],
    ]);
    expect([...runs[0]!.inputIds]).toEqual([101n, 7n, 102n, 0n, 101n, 102n, 0n, 0n]);
    expect([...runs[0]!.attentionMask]).toEqual([1n, 1n, 1n, 0n, 1n, 1n, 0n, 0n]);
  });

  it("refuses a row longer than the padded length", () => {
    expect(() => padRows([[1, 2, 3]], [0], 2)).toThrow(/3 tokens, more than the padded length 2/);
  });
});

describe.each([
  ["float32", TINY_BUNDLE_DIR],
  ["int8", TINY_INT8_BUNDLE_DIR],
])("batch-invariant %s bundle", (_precision, bundleDir) => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await loadBundle(bundleDir, ORT);
  });
  afterAll(() => bundle?.dispose());

  it("passes the load-time probe, so both graphs run a micro-batch in one call", () => {
    expect(bundle.batching).toEqual({ encoder: true, hypernet: true });
  });

  it("gives each description the same bytes in a batch as alone", async () => {
    await expectBatchEqualsAlone(bundle);
  });
});

describe("an encoder whose rows depend on their batch mates", () => {
  let root: string;
  let bundle: Bundle;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "t2l-batching-"));
    const dir = join(root, "tiny-t2l");
    await cp(TINY_BUNDLE_DIR, dir, { recursive: true });
    await copyFile(BATCH_DEPENDENT_ENCODER, join(dir, "encoder.onnx"));
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { files: Record<string, string> };
    manifest.files["encoder.onnx"] = createHash("sha256").update(await readFile(join(dir, "encoder.onnx"))).digest("hex");
    await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
    bundle = await loadBundle(dir, ORT);
  });
  afterAll(async () => {
    await bundle?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it("fails the probe and runs one description per encoder call", () => {
    expect(bundle.batching).toEqual({ encoder: false, hypernet: true });
  });

  it("still gives each description the same bytes in a batch as alone", async () => {
    await expectBatchEqualsAlone(bundle);
  });
});
