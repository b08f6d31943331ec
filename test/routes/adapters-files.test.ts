import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { call, createTenant, expectProblem, type TestTenant } from "../support/api";
import { eventually, generateCalls, safetensorsHeader, uniqueDescription } from "../support/standin";

interface AdapterBody {
  id: string;
  sha256: string;
  bytes: number;
  files: Record<"adapter_config.json" | "adapter_model.safetensors", string>;
  files_expire_at: string;
}

async function generated(tenant: TestTenant): Promise<AdapterBody> {
  const response = await call("POST", "/v1/adapters", { key: tenant.key, body: { description: uniqueDescription() } });
  expect(response.status).toBe(201);
  return response.json<AdapterBody>();
}

/** A CDN URL as the client got it, fetched through the Worker (path + query kept). */
function fetchCdn(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const { pathname, search } = new URL(url);
  return call("GET", `${pathname}${search}`, { headers });
}

describe("adapter files", () => {
  it("downloads a well-formed PEFT adapter with an API key, with ETag, 304 and Range", async () => {
    const tenant = await createTenant();
    const adapter = await generated(tenant);
    const path = `/v1/adapters/${adapter.id}/files/adapter_model.safetensors`;

    const full = await call("GET", path, { key: tenant.key });
    expect(full.status).toBe(200);
    expect(full.headers.get("ETag")).toBe(`"${adapter.sha256}"`);
    expect(full.headers.get("Content-Length")).toBe(String(adapter.bytes));
    expect(full.headers.get("Cache-Control")).toContain("immutable");
    const bytes = new Uint8Array(await full.arrayBuffer());
    expect(await sha256Hex(bytes)).toBe(adapter.sha256);
    const header = safetensorsHeader(bytes);
    expect(header["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]).toMatchObject({ dtype: "F32", shape: [4, 64] });
    expect(header["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"]).toMatchObject({ shape: [64, 4] });

    const notModified = await call("GET", path, { key: tenant.key, headers: { "If-None-Match": `W/"x", "${adapter.sha256}"` } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("ETag")).toBe(`"${adapter.sha256}"`);

    const partial = await call("GET", path, { key: tenant.key, headers: { Range: "bytes=8-15" } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("Content-Range")).toBe(`bytes 8-15/${adapter.bytes}`);
    expect(new Uint8Array(await partial.arrayBuffer())).toEqual(bytes.slice(8, 16));

    const suffix = await call("GET", path, { key: tenant.key, headers: { Range: "bytes=-4" } });
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(bytes.slice(-4));

    const outside = await call("GET", path, { key: tenant.key, headers: { Range: `bytes=${adapter.bytes}-` } });
    await expectProblem(outside, 416, "range_not_satisfiable");
    expect(outside.headers.get("Content-Range")).toBe(`bytes */${adapter.bytes}`);

    // Every body-carrying download is metered with its byte count; the 304 is not.
    await eventually(async () => {
      const rows = await env.DB.prepare("SELECT bytes FROM usage_events WHERE tenant_id = ?1 AND kind = 'download' ORDER BY bytes").bind(tenant.id).all<{ bytes: number }>();
      expect(rows.results.map((r) => r.bytes)).toEqual([4, 8, adapter.bytes]);
    });
  });

  it("serves adapter_config.json per Contract 2", async () => {
    const tenant = await createTenant();
    const adapter = await generated(tenant);
    const response = await call("GET", `/v1/adapters/${adapter.id}/files/adapter_config.json`, { key: tenant.key });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(response.headers.get("ETag")).toBe(`"${await sha256Hex(text)}"`);
    expect(JSON.parse(text)).toEqual({
      peft_type: "LORA",
      task_type: "CAUSAL_LM",
      base_model_name_or_path: "HuggingFaceTB/SmolLM2-135M-Instruct",
      revision: "main",
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

  it("signed CDN URLs work without a key, are public and immutable, and refuse tampering", async () => {
    const tenant = await createTenant();
    const adapter = await generated(tenant);
    const url = adapter.files["adapter_model.safetensors"];
    expect(Date.parse(adapter.files_expire_at)).toBeGreaterThan(Date.now());

    const response = await fetchCdn(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+, immutable$/);
    expect(response.headers.get("ETag")).toBe(`"${adapter.sha256}"`);
    expect(await sha256Hex(new Uint8Array(await response.arrayBuffer()))).toBe(adapter.sha256);
    expect((await fetchCdn(url, { "If-None-Match": `"${adapter.sha256}"` })).status).toBe(304);
    expect((await fetchCdn(url, { Range: "bytes=0-7" })).status).toBe(206);
    expect((await fetchCdn(adapter.files["adapter_config.json"])).status).toBe(200);

    const tampered = new URL(url);
    tampered.searchParams.set("expires", String(Number(tampered.searchParams.get("expires")) + 600));
    await expectProblem(await fetchCdn(tampered.toString()), 403, "invalid_signature");
    const otherFile = url.replace("adapter_model.safetensors", "adapter_config.json");
    await expectProblem(await fetchCdn(otherFile), 403, "invalid_signature");
    await expectProblem(await fetchCdn(url.split("?")[0] ?? url), 400, "invalid_request");
  });

  it("expired CDN URLs are refused", async () => {
    const tenant = await createTenant();
    const adapter = await generated(tenant);
    const { UrlSigner } = await import("../../src/services/url-signer");
    const signer = new UrlSigner(env.URL_SIGNING_SECRET, 60);
    const { url } = await signer.sign("https://edge.test", { adapterId: adapter.id, file: "adapter_model.safetensors", keyId: tenant.keyId }, Date.now() / 1000 - 7200);
    await expectProblem(await fetchCdn(url), 403, "invalid_signature");
  });

  it("get, list (paginated) and delete; a deleted adapter's URLs die and it regenerates on request", async () => {
    const tenant = await createTenant();
    const first = await generated(tenant);
    const second = await generated(tenant);

    const fetched = await call("GET", `/v1/adapters/${first.id}`, { key: tenant.key });
    expect(await fetched.json()).toMatchObject({ id: first.id, status: "ready", sha256: first.sha256 });

    const page1 = await (await call("GET", "/v1/adapters?limit=1", { key: tenant.key })).json<{ data: { id: string }[]; next_after: string }>();
    expect(page1.data.map((a) => a.id)).toEqual([first.id]);
    const page2 = await (await call("GET", `/v1/adapters?limit=1&after=${page1.next_after}`, { key: tenant.key })).json<{ data: { id: string }[] }>();
    expect(page2.data.map((a) => a.id)).toEqual([second.id]);

    const deleted = await call("DELETE", `/v1/adapters/${first.id}`, { key: tenant.key });
    expect(deleted.status).toBe(204);
    await expectProblem(await call("GET", `/v1/adapters/${first.id}`, { key: tenant.key }), 404, "not_found");
    await expectProblem(await fetchCdn(first.files["adapter_model.safetensors"]), 404, "not_found");
    await expectProblem(await call("DELETE", `/v1/adapters/${first.id}`, { key: tenant.key }), 404, "not_found");
    // Its bytes were used by nobody else: the blob is garbage-collected.
    await eventually(async () => {
      expect(await env.BLOBS.head(`blobs/${first.sha256}.safetensors`)).toBeNull();
    });

    const row = await env.DB.prepare("SELECT description FROM adapters WHERE id = ?1").bind(first.id).first<{ description: string }>();
    const description = row?.description ?? "";
    const again = await call("POST", "/v1/adapters", { key: tenant.key, body: { description } });
    expect(again.status).toBe(201);
    expect(await generateCalls(description)).toBe(2);
  });

  it.each([
    ["an unknown file name", "/v1/adapters/ad_01m8h6m1gmbad2afdgamcfm36z/files/model.bin", 400, "invalid_request"],
    ["a malformed adapter id", "/v1/adapters/ad_nope/files/adapter_config.json", 400, "invalid_request"],
    ["an adapter that does not exist", "/v1/adapters/ad_01m8h6m1gmbad2afdgamcfm36z/files/adapter_config.json", 404, "not_found"],
  ])("rejects %s", async (_, path, status, code) => {
    const tenant = await createTenant();
    await expectProblem(await call("GET", path, { key: tenant.key }), status, code);
  });
});
