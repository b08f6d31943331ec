/** A full queue answers 503 + Retry-After at once instead of queueing without bound. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { StartedWorker } from "../src/worker.js";
import { expectProblem } from "./support/problem.js";
import { generate, startTestWorker } from "./support/worker.js";

let worker: StartedWorker;
beforeAll(async () => {
  // One request at a time, one waiting, and a long wait so the burst finds the queue full.
  worker = await startTestWorker({ maxBatchSize: 1, maxQueue: 1, maxBatchWaitMs: 200 });
});
afterAll(() => worker?.shutdown());

describe("bounded queue", () => {
  it("sheds a burst with 503 overloaded and serves what it accepted", async () => {
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => generate(worker, { description: `burst ${i}` })));
    const shed = responses.filter((r) => r.status === 503);
    const served = responses.filter((r) => r.status === 200);
    expect(shed.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    expect(shed.length + served.length).toBe(responses.length);
    for (const response of served) await response.arrayBuffer();
    for (const response of shed) {
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      await expectProblem(response, 503, "overloaded");
    }
  });
});
