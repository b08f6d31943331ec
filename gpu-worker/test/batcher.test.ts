import { describe, expect, it } from "vitest";

import { MicroBatcher } from "../src/batcher.js";
import { WorkerError } from "../src/http/errors.js";

/** A batch runner that records the batches it saw and answers `key:input`. */
function recordingRunner(delayMs = 0) {
  const batches: { key: string; inputs: string[] }[] = [];
  const run = async (key: string, inputs: string[]) => {
    batches.push({ key, inputs });
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return inputs.map((input) => `${key}:${input}`);
  };
  return { batches, run };
}

describe("MicroBatcher", () => {
  it("gathers requests that arrive within the wait into one batch, in order", async () => {
    const { batches, run } = recordingRunner();
    const batcher = new MicroBatcher(run, { maxBatchSize: 8, maxWaitMs: 20, maxQueue: 100 });
    const outputs = await Promise.all(["a", "b", "c"].map((x) => batcher.submit("k", x)));
    expect(outputs).toEqual(["k:a", "k:b", "k:c"]);
    expect(batches).toEqual([{ key: "k", inputs: ["a", "b", "c"] }]);
  });

  it("with a zero wait still batches requests submitted in the same pass", async () => {
    const { batches, run } = recordingRunner();
    const batcher = new MicroBatcher(run, { maxBatchSize: 8, maxWaitMs: 0, maxQueue: 100 });
    await Promise.all(["a", "b"].map((x) => batcher.submit("k", x)));
    expect(batches).toEqual([{ key: "k", inputs: ["a", "b"] }]);
  });

  it("flushes at max batch size without waiting and caps every batch", async () => {
    const { batches, run } = recordingRunner(5);
    const batcher = new MicroBatcher(run, { maxBatchSize: 2, maxWaitMs: 10_000, maxQueue: 100 });
    const started = performance.now();
    await Promise.all(["a", "b", "c", "d"].map((x) => batcher.submit("k", x)));
    expect(batches.map((b) => b.inputs)).toEqual([["a", "b"], ["c", "d"]]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("never mixes keys in a batch", async () => {
    const { batches, run } = recordingRunner();
    const batcher = new MicroBatcher(run, { maxBatchSize: 8, maxWaitMs: 5, maxQueue: 100 });
    await Promise.all([batcher.submit("x", "1"), batcher.submit("y", "2"), batcher.submit("x", "3")]);
    expect(batches).toEqual([
      { key: "x", inputs: ["1", "3"] },
      { key: "y", inputs: ["2"] },
    ]);
  });

  it("rejects past the queue bound with 503 overloaded and a Retry-After", async () => {
    const { run } = recordingRunner(20);
    const batcher = new MicroBatcher(run, { maxBatchSize: 1, maxWaitMs: 0, maxQueue: 1 });
    // "1" starts running at once; "2" waits in the queue, which is then full.
    const accepted = [batcher.submit("k", "1"), batcher.submit("k", "2")];
    expect(batcher.depth).toBe(1);
    let refused: unknown;
    try {
      await batcher.submit("k", "3");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(WorkerError);
    expect((refused as WorkerError).status).toBe(503);
    expect(Number((refused as WorkerError).headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    await Promise.all(accepted);
  });

  it("fails every request of a failed batch with generation_failed", async () => {
    const batcher = new MicroBatcher<string, string>(async () => {
      throw new Error("boom");
    }, { maxBatchSize: 4, maxWaitMs: 1, maxQueue: 10 });
    const results = await Promise.allSettled([batcher.submit("k", "a"), batcher.submit("k", "b")]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect(((result as PromiseRejectedResult).reason as WorkerError).code).toBe("generation_failed");
    }
  });

  it("drops requests whose client went away before their batch ran", async () => {
    const { batches, run } = recordingRunner();
    const batcher = new MicroBatcher(run, { maxBatchSize: 8, maxWaitMs: 10, maxQueue: 10 });
    const gone = new AbortController();
    const dropped = batcher.submit("k", "gone", gone.signal);
    const kept = batcher.submit("k", "kept");
    gone.abort(new Error("client closed"));
    await expect(dropped).rejects.toThrow("client closed");
    await expect(kept).resolves.toBe("k:kept");
    expect(batches).toEqual([{ key: "k", inputs: ["kept"] }]);
  });

  it("drain answers everything accepted, even while waiting on the timer", async () => {
    const { run } = recordingRunner();
    const batcher = new MicroBatcher(run, { maxBatchSize: 8, maxWaitMs: 60_000, maxQueue: 10 });
    const pending = batcher.submit("k", "a");
    await batcher.drain();
    await expect(pending).resolves.toBe("k:a");
    expect(batcher.busy).toBe(false);
  });

  it("drain keeps going between back-to-back batches", async () => {
    const { batches, run } = recordingRunner(5);
    const batcher = new MicroBatcher(run, { maxBatchSize: 1, maxWaitMs: 0, maxQueue: 10 });
    const pending = ["a", "b", "c"].map((x) => batcher.submit("k", x));
    await batcher.drain();
    await expect(Promise.all(pending)).resolves.toEqual(["k:a", "k:b", "k:c"]);
    expect(batches).toHaveLength(3);
  });
});
