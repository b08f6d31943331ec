/** The read-only routes: /v1/bundles, /healthz, /metrics, and unknown routes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { BundlesResponse } from "../src/routes/bundles.js";
import type { StartedWorker } from "../src/worker.js";
import { expectProblem } from "./support/problem.js";
import { call, generate, startTestWorker } from "./support/worker.js";

let worker: StartedWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.shutdown());

describe("GET /v1/bundles", () => {
  it("lists manifests and the adapter_config each bundle produces", async () => {
    const response = await call(worker, "/v1/bundles");
    expect(response.status).toBe(200);
    const { bundles } = (await response.json()) as BundlesResponse;
    expect(bundles).toHaveLength(1);
    expect(bundles[0]).toMatchObject({ id: "tiny-t2l@1.0.0", default: true, execution_provider: "cpu", batching: { encoder: true, hypernet: true } });
    expect(bundles[0]!.manifest.schema).toBe("t2l.bundle/v1");
    expect(bundles[0]!.adapter_config).toEqual({
      peft_type: "LORA",
      task_type: "CAUSAL_LM",
      base_model_name_or_path: "t2l-tests/tiny-llama",
      revision: null,
      r: 4,
      lora_alpha: 8,
      use_rslora: false,
      target_modules: ["q_proj", "v_proj"],
      lora_dropout: 0,
      bias: "none",
      fan_in_fan_out: false,
      use_dora: false,
      inference_mode: true,
      modules_to_save: null,
    });
  });
});

describe("GET /healthz", () => {
  it("is unauthenticated and names the loaded bundles", async () => {
    const response = await call(worker, "/healthz", { sign: false });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", bundles: ["tiny-t2l@1.0.0"], queue_depth: 0 });
  });
});

describe("GET /metrics", () => {
  it("exposes request counts, latency, batch sizes and queue depth as Prometheus text", async () => {
    const ok = await generate(worker, { description: "Count sheep." });
    await ok.arrayBuffer();
    await (await call(worker, "/v1/generate", { body: "{}", sign: false })).arrayBuffer();
    const response = await call(worker, "/metrics", { sign: false });
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^t2l_worker_requests_total\{route="\/v1\/generate",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^t2l_worker_requests_total\{route="\/v1\/generate",status="401"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE t2l_worker_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^t2l_worker_request_duration_seconds_bucket\{route="\/v1\/generate",le="\+Inf"\} [1-9]\d*$/m);
    expect(text).toMatch(/^t2l_worker_batch_size_count [1-9]\d*$/m);
    expect(text).toMatch(/^t2l_worker_queue_depth 0$/m);
    expect(text).toMatch(/^t2l_worker_adapters_total\{bundle="tiny-t2l@1\.0\.0",dtype="float16"\} [1-9]\d*$/m);
    expect(text).toMatch(/^t2l_worker_resident_memory_bytes [1-9]\d*$/m);
  });
});

describe("routing", () => {
  it("answers unknown paths with 404 and wrong methods with 405 + Allow", async () => {
    await expectProblem(await call(worker, "/v2/generate", { sign: false }), 404, "not_found");
    const response = await call(worker, "/v1/generate", { method: "GET" });
    expect(response.headers.get("allow")).toBe("POST");
    await expectProblem(response, 405, "method_not_allowed");
  });

  it("keeps a well-formed incoming request id and mints one otherwise", async () => {
    const kept = await call(worker, "/healthz", { sign: false, headers: { "x-request-id": "req_fromedge123" } });
    expect(kept.headers.get("x-request-id")).toBe("req_fromedge123");
    const minted = await call(worker, "/healthz", { sign: false, headers: { "x-request-id": "<script>" } });
    expect(minted.headers.get("x-request-id")).toMatch(/^req_/);
    expect(minted.headers.get("x-request-id")).not.toBe("<script>");
  });
});
