/** Environment configuration: defaults, and a clear refusal naming the variable. */
import { describe, expect, it } from "vitest";

import { loadConfig } from "../src/config.js";

const BASE = { BUNDLES_DIR: "/bundles", GPU_WORKER_SECRET: "0123456789abcdef" };

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig(BASE)).toMatchObject({
      port: 8788,
      host: "127.0.0.1",
      maxBatchSize: 16,
      maxBatchWaitMs: 0,
      maxQueue: 256,
      maxBodyBytes: 65_536,
      providers: "auto",
      intraOpThreads: 0,
      allowSpinning: false,
      defaultBundle: undefined,
    });
  });

  it("reads overrides and treats empty values as unset", () => {
    const config = loadConfig({ ...BASE, PORT: "9000", MAX_BATCH_SIZE: "4", ORT_EXECUTION_PROVIDERS: "cuda", DEFAULT_BUNDLE: "" });
    expect(config).toMatchObject({ port: 9000, maxBatchSize: 4, providers: "cuda", defaultBundle: undefined });
  });

  it.each([
    ["no BUNDLES_DIR", { GPU_WORKER_SECRET: BASE.GPU_WORKER_SECRET }, /BUNDLES_DIR is required/],
    ["no secret", { BUNDLES_DIR: "/b" }, /GPU_WORKER_SECRET is required/],
    ["a short secret", { ...BASE, GPU_WORKER_SECRET: "short" }, /GPU_WORKER_SECRET must be at least 16/],
    ["a zero batch size", { ...BASE, MAX_BATCH_SIZE: "0" }, /MAX_BATCH_SIZE/],
    ["a non-numeric port", { ...BASE, PORT: "http" }, /PORT/],
    ["an unknown provider", { ...BASE, ORT_EXECUTION_PROVIDERS: "tpu" }, /ORT_EXECUTION_PROVIDERS/],
  ])("refuses %s", (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
