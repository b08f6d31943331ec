/** Graceful shutdown: accepted requests are answered, new ones are refused, then it closes. */
import { describe, expect, it } from "vitest";

import { generate, startTestWorker } from "./support/worker.js";

describe("graceful shutdown", () => {
  it("finishes in-flight and queued requests before closing", async () => {
    // A long batch wait keeps the requests queued when shutdown starts.
    const worker = await startTestWorker({ maxBatchWaitMs: 5_000, maxBatchSize: 64 });
    const pending = Array.from({ length: 4 }, (_, i) => generate(worker, { description: `draining ${i}` }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(worker.services.batcher.depth).toBe(4);

    const started = performance.now();
    const closed = worker.shutdown();
    const responses = await Promise.all(pending);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(Number(response.headers.get("content-length")));
    }
    await closed;
    // Drain flushed the queue at once instead of waiting out the 5 s batch timer.
    expect(performance.now() - started).toBeLessThan(4_000);
    await expect(fetch(`${worker.url}/healthz`)).rejects.toThrow();
  });

  it("reports unhealthy and refuses new work while draining", async () => {
    const worker = await startTestWorker({ maxBatchWaitMs: 1_000 });
    const queued = generate(worker, { description: "last one in" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    worker.services.lifecycle.shuttingDown = true; // the first step of shutdown(), observed alone
    const health = await fetch(`${worker.url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { status: string }).status).toBe("shutting_down");
    const refused = await generate(worker, { description: "too late" });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { code: string }).code).toBe("shutting_down");
    expect(refused.headers.get("connection")).toBe("close");
    await worker.shutdown();
    expect((await queued).status).toBe(200);
  });
});
