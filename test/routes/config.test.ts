import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { expectProblem } from "../support/api";

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;

describe("env and binding validation", () => {
  it.each([
    ["a missing secret", { OPERATOR_KEY: undefined }, "OPERATOR_KEY"],
    ["a short secret", { URL_SIGNING_SECRET: "short" }, "URL_SIGNING_SECRET"],
    ["a missing binding", { BLOBS: undefined }, "BLOBS"],
    ["a bad gpu-worker URL", { GPU_WORKER_URL: "not a url" }, "GPU_WORKER_URL"],
    ["a non-numeric timeout", { GPU_WORKER_TIMEOUT_MS: "soon" }, "GPU_WORKER_TIMEOUT_MS"],
  ])("answers 500 misconfigured naming %s", async (_, override, name) => {
    const response = await createApp().fetch(new Request("https://edge.test/healthz"), { ...env, ...override }, ctx);
    const problem = await expectProblem(response, 500, "misconfigured");
    expect(problem.detail).toContain(name);
    expect(JSON.stringify(problem)).not.toContain(env.GPU_WORKER_SECRET);
  });
});
