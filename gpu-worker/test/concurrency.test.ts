/** Many parallel requests are micro-batched, and every answer equals the one it gets alone. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { StartedWorker } from "../src/worker.js";
import { call, generate, startTestWorker } from "./support/worker.js";

const DESCRIPTIONS = Array.from({ length: 24 }, (_, i) => `Task ${i}: ${"classify reviews ".repeat(1 + (i % 5))}by tone.`);

let worker: StartedWorker;
beforeAll(async () => {
  worker = await startTestWorker({ maxBatchSize: 8, maxBatchWaitMs: 25 });
});
afterAll(() => worker?.shutdown());

async function sha(description: string, dtype: "float16" | "float32"): Promise<string> {
  const response = await generate(worker, { description, dtype });
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  return response.headers.get("x-adapter-sha256")!;
}

// A histogram without observations has no series yet: count it as 0.
const metric = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);

describe("micro-batching", () => {
  it.each(["float32", "float16"] as const)("gives each description the same %s bytes in a batch as alone", async (dtype) => {
    const before = await (await call(worker, "/metrics", { sign: false })).text();
    const batched = await Promise.all(DESCRIPTIONS.map((d) => sha(d, dtype)));
    const after = await (await call(worker, "/metrics", { sign: false })).text();

    const alone: string[] = [];
    for (const description of DESCRIPTIONS) alone.push(await sha(description, dtype));

    expect(batched).toEqual(alone);
    expect(new Set(alone).size).toBe(DESCRIPTIONS.length);
    // The parallel burst really ran as batches (fewer batches than requests, none above the cap).
    const batches = metric(after, /^t2l_worker_batch_size_count (\d+)$/m) - metric(before, /^t2l_worker_batch_size_count (\d+)$/m);
    expect(batches).toBeLessThan(DESCRIPTIONS.length);
    expect(batches).toBeGreaterThanOrEqual(DESCRIPTIONS.length / 8);
    expect(metric(after, /^t2l_worker_batch_size_bucket\{le="8"\} (\d+)$/m)).toBe(metric(after, /^t2l_worker_batch_size_count (\d+)$/m));
  });
});
