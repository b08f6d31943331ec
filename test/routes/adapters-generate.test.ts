import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { sha256Hex } from "../../src/lib/crypto";
import { call, createTenant, expectProblem } from "../support/api";
import { eventually, generateCalls, safetensorsHeader, uniqueDescription } from "../support/standin";

interface AdapterBody {
  id: string;
  status: string;
  cached: boolean;
  bundle: string;
  sha256: string;
  bytes: number;
  description: string;
  files: Record<string, string>;
}

const post = (key: string, body: unknown, headers: Record<string, string> = {}) => call("POST", "/v1/adapters", { key, body, headers });

async function liveAdapterRows(description: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM adapters WHERE description = ?1").bind(description).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("POST /v1/adapters", () => {
  it("generates on a miss, then serves the stored adapter on a hit without calling the gpu-worker", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription();
    const first = await post(tenant.key, { description });
    expect(first.status).toBe(201);
    const created = await first.json<AdapterBody>();
    expect(created).toMatchObject({ status: "ready", cached: false, bundle: "smollm2-135m-instruct-t2l@0.1.0", description });
    expect(created.id).toMatch(/^ad_/);
    expect(first.headers.get("Location")).toBe(`/v1/adapters/${created.id}`);
    expect(await generateCalls(description)).toBe(1);

    // Same description with different whitespace: same identity, a hit.
    const second = await post(tenant.key, { description: `  ${description.replace(/ /g, "\n\t ")}  ` });
    expect(second.status).toBe(200);
    const hit = await second.json<AdapterBody>();
    expect(hit).toMatchObject({ id: created.id, cached: true, sha256: created.sha256 });
    expect(await generateCalls(description)).toBe(1);

    // The blob is stored under its content address, verified.
    const object = await env.BLOBS.get(`blobs/${created.sha256}.safetensors`);
    if (!object) throw new Error("the verified blob is not in R2");
    const bytes = new Uint8Array(await object.arrayBuffer());
    expect(bytes.byteLength).toBe(created.bytes);
    expect(await sha256Hex(bytes)).toBe(created.sha256);
    expect(safetensorsHeader(bytes).__metadata__).toMatchObject({ format: "pt", description_sha256: await sha256Hex(description) });

    await eventually(async () => {
      const kinds = await env.DB.prepare("SELECT kind, gpu_ms, bytes FROM usage_events WHERE tenant_id = ?1 ORDER BY created_at").bind(tenant.id).all();
      expect(kinds.results).toEqual([
        { kind: "generation", gpu_ms: 7, bytes: created.bytes },
        { kind: "cache_hit", gpu_ms: 0, bytes: created.bytes },
      ]);
    });
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE target_id = ?1").bind(created.id).all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["adapter.create"]);
  });

  it("generates once for concurrent identical requests (single flight)", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription("Classify product reviews", "[slow]");
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(tenant.key, { description })));
    const bodies = await Promise.all(responses.map((r) => r.json<AdapterBody>()));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies.filter((b) => !b.cached)).toHaveLength(1);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(await generateCalls(description)).toBe(1);
  });

  it.each([
    ["dies mid-stream", "[die-mid-stream]", 502, "adapter_integrity_failed", 1],
    ["announces the wrong sha256", "[wrong-sha]", 502, "adapter_integrity_failed", 1],
    ["stays overloaded (bounded retries)", "[overloaded]", 503, "gpu_worker_unavailable", 3],
  ])("leaves nothing behind when the gpu-worker %s", async (_, marker, status, code, calls) => {
    const tenant = await createTenant();
    const description = uniqueDescription("Translate legal text", marker);
    const response = await post(tenant.key, { description });
    await expectProblem(response, status, code);
    expect(await generateCalls(description)).toBe(calls);
    expect(await liveAdapterRows(description)).toBe(0);
    const listed = await env.BLOBS.list({ prefix: "blobs/" });
    const known = await env.DB.prepare("SELECT sha256 FROM blobs").all<{ sha256: string }>();
    // Every object in R2 is a verified blob with its row; no partial upload became visible.
    expect(listed.objects.map((o) => o.key).sort()).toEqual(known.results.map((r) => `blobs/${r.sha256}.safetensors`).sort());
    const adapters = await (await call("GET", "/v1/adapters", { key: tenant.key })).json<{ data: unknown[] }>();
    expect(adapters.data).toEqual([]);
  });

  it("answers 503 when the generation coordinator cannot be reached, storing nothing", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription();
    const unreachable = {
      idFromName: (name: string) => env.GENERATION_FLIGHTS.idFromName(name),
      get: () => ({ generate: () => Promise.reject(new Error("Durable Object unreachable")) }),
    };
    const brokenEnv = { ...env, GENERATION_FLIGHTS: unreachable as unknown as typeof env.GENERATION_FLIGHTS };
    const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
    const request = new Request("https://edge.test/v1/adapters", {
      method: "POST",
      headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ description }),
    });
    await expectProblem(await createApp().fetch(request, brokenEnv, ctx), 503, "gpu_worker_unavailable");
    expect(await liveAdapterRows(description)).toBe(0);
  });

  it("retries a transient gpu-worker 503 and succeeds", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription("Write SQL", "[flaky]");
    expect((await post(tenant.key, { description })).status).toBe(201);
    expect(await generateCalls(description)).toBe(2);
  });

  it("replays an Idempotency-Key with the same answer and meters once", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription();
    const headers = { "Idempotency-Key": `idem-${crypto.randomUUID()}` };
    const first = await post(tenant.key, { description }, headers);
    const firstBody = await first.text();
    const replay = await post(tenant.key, { description }, headers);
    expect(replay.status).toBe(first.status);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.text()).toBe(firstBody);
    await expectProblem(await post(tenant.key, { description: `${description} changed` }, headers), 422, "idempotency_key_reused");
    await eventually(async () => {
      const events = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_events WHERE tenant_id = ?1").bind(tenant.id).first<{ n: number }>();
      expect(events?.n).toBe(1);
    });
  });

  it("answers 409 to a concurrent retry with the same Idempotency-Key, and lets a failed request be retried", async () => {
    const tenant = await createTenant();
    const headers = { "Idempotency-Key": `idem-${crypto.randomUUID()}` };
    const description = uniqueDescription("Tag support emails", "[slow]");
    const [first, second] = await Promise.all([post(tenant.key, { description }, headers), post(tenant.key, { description }, headers)]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([201, 409]);
    const conflict = first.status === 409 ? first : second;
    await expectProblem(conflict, 409, "idempotency_in_progress");

    // Failures are not remembered: a retry with the same key runs again instead of replaying the error.
    const failingHeaders = { "Idempotency-Key": `idem-${crypto.randomUUID()}` };
    const failing = uniqueDescription("Tag support emails", "[wrong-sha]");
    await expectProblem(await post(tenant.key, { description: failing }, failingHeaders), 502, "adapter_integrity_failed");
    await expectProblem(await post(tenant.key, { description: failing }, failingHeaders), 502, "adapter_integrity_failed");
    expect(await generateCalls(failing)).toBe(2);
  });

  it("lets other tenants reuse a public adapter's weights without generating", async () => {
    const publisher = await createTenant();
    const other = await createTenant();
    const description = uniqueDescription("Answer questions about the Rust borrow checker");
    const published = await (await post(publisher.key, { description, visibility: "public" })).json<AdapterBody>();
    const reused = await post(other.key, { description });
    expect(reused.status).toBe(200);
    const body = await reused.json<AdapterBody>();
    expect(body).toMatchObject({ cached: true, sha256: published.sha256 });
    expect(body.id).not.toBe(published.id);
    expect(await generateCalls(description)).toBe(1);

    // Private adapters are never shared.
    const secret = uniqueDescription("Internal codename triage");
    await post(publisher.key, { description: secret });
    expect((await post(other.key, { description: secret })).status).toBe(201);
    expect(await generateCalls(secret)).toBe(2);
  });

  it("enforces the plan's monthly generation quota but keeps serving hits", async () => {
    const tenant = await createTenant();
    await env.DB.prepare("INSERT OR IGNORE INTO plans VALUES ('one-a-month', 100, 100, 1)").run();
    await env.DB.prepare("UPDATE tenants SET plan_id = 'one-a-month' WHERE id = ?1").bind(tenant.id).run();
    await env.CACHE.delete(`key:v1:${await sha256Hex(tenant.key)}`);
    const description = uniqueDescription();
    expect((await post(tenant.key, { description })).status).toBe(201);
    await eventually(async () => {
      await expectProblem(await post(tenant.key, { description: uniqueDescription() }), 429, "quota_exceeded");
    });
    expect((await post(tenant.key, { description })).status).toBe(200);
  });

  it.each([
    ["whitespace-only description", { description: " \n\t " }, 400, "invalid_description"],
    ["description over 2000 characters", { description: "a".repeat(2001) }, 400, "invalid_description"],
    ["missing description", {}, 400, "invalid_request"],
    ["malformed bundle", { description: "x", bundle: "Not A Bundle!" }, 400, "invalid_request"],
    ["unknown bundle", { description: "x", bundle: "no-such-bundle" }, 404, "unknown_bundle"],
    ["unknown version", { description: "x", bundle: "smollm2-135m-instruct-t2l@9.9.9" }, 404, "unknown_bundle"],
    ["bad visibility", { description: "x", visibility: "world" }, 400, "invalid_request"],
    ["unknown field", { description: "x", temperature: 1 }, 400, "invalid_request"],
  ])("rejects %s", async (_, body, status, code) => {
    const tenant = await createTenant();
    await expectProblem(await post(tenant.key, body), status, code);
  });

  it("rejects a malformed Idempotency-Key", async () => {
    const tenant = await createTenant();
    await expectProblem(await post(tenant.key, { description: "x" }, { "Idempotency-Key": "has spaces in it" }), 400, "invalid_request");
  });
});
