// Cross-implementation parity at the edge <-> gpu-worker boundary (Contract 3 and 2): the
// edge's request signature must verify with the gpu-worker's own verifier, and the
// adapter_config.json the edge derives must equal the one the worker derives.
import { describe, expect, it } from "vitest";
import { adapterConfigFor as workerAdapterConfig } from "../../gpu-worker/src/adapter/adapterConfig";
import { Manifest as WorkerManifest } from "../../gpu-worker/src/bundle/manifest";
import { verifyRequest } from "../../gpu-worker/src/http/signing";
import { standinManifest } from "../node/gpu-worker-standin";
import { adapterConfigFor } from "../../src/services/bundle-catalog";
import { signGpuWorkerRequest } from "../../src/services/gpu-worker-client";

const SECRET = "parity-secret-0123456789abcdef0123456789";
const asNodeHeaders = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

describe("edge and gpu-worker agree on Contract 3 signing", () => {
  it.each([
    ["POST", "/v1/generate", JSON.stringify({ description: "Café — naïve ünïcödé", bundle: "b@1" })],
    ["GET", "/v1/bundles", ""],
  ])("the worker accepts the edge's signature for %s %s", async (method, path, body) => {
    const headers = asNodeHeaders(await signGpuWorkerRequest(SECRET, method, path, body));
    expect(() => {
      verifyRequest(SECRET, headers, method, path, new TextEncoder().encode(body));
    }).not.toThrow();
  });

  it("the worker refuses a tampered body, path or secret", async () => {
    const body = JSON.stringify({ description: "x" });
    const headers = asNodeHeaders(await signGpuWorkerRequest(SECRET, "POST", "/v1/generate", body));
    const bytes = new TextEncoder().encode(body);
    expect(() => {
      verifyRequest(SECRET, headers, "POST", "/v1/generate", new TextEncoder().encode(`${body} `));
    }).toThrow(/signature/i);
    expect(() => {
      verifyRequest(SECRET, headers, "POST", "/v1/bundles", bytes);
    }).toThrow(/signature/i);
    expect(() => {
      verifyRequest(`${SECRET}x`, headers, "POST", "/v1/generate", bytes);
    }).toThrow(/signature/i);
  });

  it("the worker refuses a signature older than five minutes", async () => {
    const headers = asNodeHeaders(await signGpuWorkerRequest(SECRET, "GET", "/v1/bundles", "", Math.floor(Date.now() / 1000) - 301));
    expect(() => {
      verifyRequest(SECRET, headers, "GET", "/v1/bundles", new Uint8Array());
    }).toThrow(/timestamp/i);
  });
});

describe("edge and gpu-worker agree on Contract 2 adapter_config.json", () => {
  it("derives the same config from the same manifest", () => {
    const manifest = WorkerManifest.parse(standinManifest);
    expect(JSON.parse(adapterConfigFor(standinManifest))).toEqual(workerAdapterConfig(manifest));
  });
});
