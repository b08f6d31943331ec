/**
 * Load-time probe: may a bundle's graphs run several descriptions in one call without changing
 * any description's bytes, with these graphs, on this machine and execution provider?
 *
 * Batch invariance is a property of the exported graph (the trainer pools with a batched matmul
 * for it) and of the kernels the provider picks for each batch size, so it is checked where it
 * matters, once per bundle: probe rows run together and alone must agree byte for byte. A graph
 * that fails runs one description per call; slower, never different.
 */
import type { BatchingModes, Bundle } from "./bundle.js";
import { bucketLength, padRows } from "./tokenBuckets.js";

// Different lengths and content, so padding and several rows are both exercised.
const PROBE_TEXTS = [
  "Summarise customer emails in one sentence.",
  "Classify the tone of short product reviews as positive, negative or mixed.",
  "Translate into French.",
  "x",
];

export async function probeBatchInvariance(bundle: Bundle): Promise<BatchingModes> {
  const tokenRows = PROBE_TEXTS.map((text) => bundle.tokenizer.encode(text));
  const maxLength = bundle.manifest.encoder.max_length;
  const length = Math.max(...tokenRows.map((ids) => bucketLength(ids.length, maxLength)));
  const rows = tokenRows.map((_, row) => row);
  const dim = bundle.manifest.encoder.dim;

  const together = await bundle.encodePadded(padRows(tokenRows, rows, length));
  const alone = new Float32Array(together.length);
  for (const row of rows) alone.set(await bundle.encodePadded(padRows(tokenRows, [row], length)), row * dim);
  const encoder = sameBytes(together, alone);

  const hypernetTogether = await bundle.runHypernet(alone);
  let hypernet = true;
  for (const row of rows) {
    const single = await bundle.runHypernet(alone.slice(row * dim, (row + 1) * dim));
    for (const [name, tensor] of Object.entries(single)) {
      const rowData = tensor.data as Float32Array;
      const batchData = hypernetTogether[name]!.data as Float32Array;
      hypernet &&= sameBytes(rowData, batchData.subarray(row * rowData.length, (row + 1) * rowData.length));
    }
  }
  return { encoder, hypernet };
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return false;
  return true;
}
