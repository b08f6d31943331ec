/** POST /v1/generate over real HTTP against the exported tiny bundle. */
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { float32ToFloat16 } from "../src/adapter/float16.js";
import { decodeSafetensors } from "../src/adapter/safetensors.js";
import { signRequest } from "../src/http/signing.js";
import type { StartedWorker } from "../src/worker.js";
import { descriptionSha256 } from "../src/normalize.js";
import { expectProblem } from "./support/problem.js";
import { call, generate, SECRET, startTestWorker } from "./support/worker.js";

let worker: StartedWorker;
beforeAll(async () => {
  worker = await startTestWorker();
});
afterAll(() => worker?.shutdown());

const DESCRIPTION = "Answer questions about tide tables.";

describe("POST /v1/generate", () => {
  it.each(["float16", "float32"] as const)("returns a %s PEFT safetensors file with its integrity headers", async (dtype) => {
    const response = await generate(worker, { description: `  ${DESCRIPTION}\n`, dtype });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    const body = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get("content-length"))).toBe(body.length);
    expect(response.headers.get("x-adapter-sha256")).toBe(createHash("sha256").update(body).digest("hex"));
    expect(response.headers.get("x-bundle")).toBe("tiny-t2l@1.0.0");
    expect(Number(response.headers.get("x-generation-ms"))).toBeGreaterThan(0);
    expect(response.headers.get("x-description-sha256")).toBe(descriptionSha256(DESCRIPTION));

    const { metadata, tensors } = decodeSafetensors(body);
    expect(metadata).toEqual({
      format: "pt",
      bundle: "tiny-t2l@1.0.0",
      description_sha256: descriptionSha256(DESCRIPTION),
      normalization: "nfc-trim-collapse/v1",
    });
    const tag = dtype === "float16" ? "F16" : "F32";
    const shapes = Object.fromEntries([...tensors].map(([name, t]) => [name, [t.dtype, ...t.shape]]));
    expect(shapes).toEqual(
      Object.fromEntries(
        [0, 1].flatMap((layer) => [
          [`base_model.model.model.layers.${layer}.self_attn.q_proj.lora_A.weight`, [tag, 4, 32]],
          [`base_model.model.model.layers.${layer}.self_attn.q_proj.lora_B.weight`, [tag, 32, 4]],
          [`base_model.model.model.layers.${layer}.self_attn.v_proj.lora_A.weight`, [tag, 4, 32]],
          [`base_model.model.model.layers.${layer}.self_attn.v_proj.lora_B.weight`, [tag, 16, 4]],
        ]),
      ),
    );
  });

  it("serves exactly the bundle's generated weights (float32) and their float16 rounding", async () => {
    const bundle = worker.services.registry.defaultBundle;
    const [lora] = await bundle.generate([DESCRIPTION]);
    const expectedA = lora!.get("v_proj")!.loraA.slice(4 * 32, 8 * 32); // layer 1
    const f32 = decodeSafetensors(Buffer.from(await (await generate(worker, { description: DESCRIPTION, dtype: "float32" })).arrayBuffer()));
    const f16 = decodeSafetensors(Buffer.from(await (await generate(worker, { description: DESCRIPTION })).arrayBuffer()));
    const key = "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight";
    expect(Buffer.from(f32.tensors.get(key)!.bytes)).toEqual(Buffer.from(expectedA.buffer, expectedA.byteOffset, expectedA.byteLength));
    const halves = new Uint16Array(expectedA.length);
    float32ToFloat16(expectedA, halves);
    expect(Buffer.from(f16.tensors.get(key)!.bytes)).toEqual(Buffer.from(halves.buffer));
  });

  it("is deterministic and keyed by the normalised description", async () => {
    const hashes = await Promise.all(
      [DESCRIPTION, ` ${DESCRIPTION.replaceAll(" ", "\t ")} `, DESCRIPTION].map(async (description) => {
        const response = await generate(worker, { description });
        await response.arrayBuffer();
        return response.headers.get("x-adapter-sha256");
      }),
    );
    expect(new Set(hashes).size).toBe(1);
    const other = await generate(worker, { description: "Write haiku about rain." });
    await other.arrayBuffer();
    expect(other.headers.get("x-adapter-sha256")).not.toBe(hashes[0]);
  });

  it("accepts the bundle by name and by name@version", async () => {
    for (const bundle of ["tiny-t2l", "tiny-t2l@1.0.0"]) {
      const response = await generate(worker, { description: DESCRIPTION, bundle });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      expect(response.headers.get("x-bundle")).toBe("tiny-t2l@1.0.0");
    }
  });

  it.each([
    ["an unknown bundle", { description: DESCRIPTION, bundle: "nope" }, 404, "unknown_bundle"],
    ["an unknown version", { description: DESCRIPTION, bundle: "tiny-t2l@9.9.9" }, 404, "unknown_bundle"],
    ["a malformed bundle reference", { description: DESCRIPTION, bundle: "../etc" }, 400, "invalid_request"],
    ["a missing description", {}, 400, "invalid_request"],
    ["a non-string description", { description: 42 }, 400, "invalid_request"],
    ["an unsupported dtype", { description: DESCRIPTION, dtype: "bfloat16" }, 400, "invalid_request"],
    ["an unknown field", { description: DESCRIPTION, temperature: 1 }, 400, "invalid_request"],
    ["a whitespace-only description", { description: " \u3000\n\t " }, 422, "description_empty"],
    ["a description over 2000 characters", { description: "a".repeat(2001) }, 422, "description_too_long"],
    ["a raw description over the pre-normalisation bound", { description: " ".repeat(8001) + "a" }, 400, "invalid_request"],
  ])("refuses %s", async (_name, body, status, code) => {
    await expectProblem(await generate(worker, body), status, code);
  });

  it("counts the 2000-character limit in code points", async () => {
    const response = await generate(worker, { description: "😀".repeat(2000) });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  });

  it.each([
    ["not JSON", "{description:", 400, "invalid_json"],
    ["a JSON array", "[]", 400, "invalid_request"],
    ["JSON null", "null", 400, "invalid_request"],
  ])("refuses a body that is %s", async (_name, body, status, code) => {
    await expectProblem(await call(worker, "/v1/generate", { body }), status, code);
  });

  it("refuses a body that is not declared as JSON", async () => {
    const response = await call(worker, "/v1/generate", {
      body: JSON.stringify({ description: DESCRIPTION }),
      headers: { "content-type": "text/plain" },
    });
    await expectProblem(response, 415, "unsupported_media_type");
  });

  it("refuses an oversized body by Content-Length without reading it", async () => {
    const body = JSON.stringify({ description: "a".repeat(70_000) });
    await expectProblem(await call(worker, "/v1/generate", { body }), 413, "body_too_large");
  });

  it("refuses an oversized chunked body while streaming it", async () => {
    const chunk = Buffer.alloc(16_384, 0x61);
    const { status, contentType } = await new Promise<{ status: number; contentType: string }>((resolve, reject) => {
      const url = new URL(`${worker.url}/v1/generate`);
      const signed = signRequest(SECRET, "POST", "/v1/generate", new Uint8Array());
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { ...signed, "content-type": "application/json", "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode!, contentType: String(res.headers["content-type"]) });
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 8; i += 1) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect(contentType).toBe("application/problem+json");
  });
});

describe("authentication (Contract 3)", () => {
  const body = JSON.stringify({ description: DESCRIPTION });
  it.each([
    ["no signature", { sign: false }, "auth_missing"],
    ["a signature made with another secret", { secret: "another-secret-0123456789" }, "auth_bad_signature"],
    ["a timestamp 10 minutes old", { timestamp: Math.floor(Date.now() / 1000) - 600 }, "auth_stale_timestamp"],
    ["a timestamp 10 minutes ahead", { timestamp: Math.floor(Date.now() / 1000) + 600 }, "auth_stale_timestamp"],
  ])("answers 401 to %s", async (_name, options, code) => {
    await expectProblem(await call(worker, "/v1/generate", { body, ...options }), 401, code);
  });

  it("rejects a signature replayed onto another body", async () => {
    const signed = signRequest(SECRET, "POST", "/v1/generate", new TextEncoder().encode(body));
    const response = await fetch(`${worker.url}/v1/generate`, {
      method: "POST",
      headers: { ...signed, "content-type": "application/json" },
      body: JSON.stringify({ description: "something else" }),
    });
    await expectProblem(response, 401, "auth_bad_signature");
  });

  it("checks the signature before looking at the body", async () => {
    await expectProblem(await call(worker, "/v1/generate", { body: "{not json", sign: false }), 401, "auth_missing");
  });

  it("protects GET /v1/bundles too", async () => {
    await expectProblem(await call(worker, "/v1/bundles", { sign: false }), 401, "auth_missing");
  });
});
