import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { PERSIST_INTERVAL_MS, RateLimiter } from "../../src/durable-objects/rate-limiter";
import type { WindowState } from "../../src/lib/sliding-window";
import { call, createTenant, expectProblem, mintKey } from "../support/api";
import { eventually, uniqueDescription } from "../support/standin";

async function usePlan(tenantId: string, keyPerMin: number, tenantPerMin: number): Promise<void> {
  const plan = `limits-${keyPerMin}-${tenantPerMin}`;
  await env.DB.prepare("INSERT OR IGNORE INTO plans VALUES (?1, ?2, ?3, 1000)").bind(plan, keyPerMin, tenantPerMin).run();
  await env.DB.prepare("UPDATE tenants SET plan_id = ?2 WHERE id = ?1").bind(tenantId, plan).run();
}

describe("rate limits (sliding window in a Durable Object)", () => {
  it("limits each key, with limit/remaining/reset headers and 429 + Retry-After", async () => {
    const tenant = await createTenant();
    await usePlan(tenant.id, 3, 100);
    const key = await mintKey(tenant.id, ["keys:manage"]);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call("GET", "/v1/keys", { key: key.key });
      expect(response.status).toBe(200);
      expect(response.headers.get("X-RateLimit-Limit")).toBe("3");
      remaining.push(response.headers.get("X-RateLimit-Remaining") ?? "");
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await call("GET", "/v1/keys", { key: key.key });
    await expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited.headers.get("X-RateLimit-Remaining")).toBe("0");
    expect(Number(limited.headers.get("X-RateLimit-Reset"))).toBeGreaterThan(0);
  });

  it("limits the tenant across all its keys", async () => {
    const tenant = await createTenant();
    await usePlan(tenant.id, 100, 2);
    const a = await mintKey(tenant.id, ["keys:manage"]);
    const b = await mintKey(tenant.id, ["keys:manage"]);
    expect((await call("GET", "/v1/keys", { key: a.key })).status).toBe(200);
    expect((await call("GET", "/v1/keys", { key: b.key })).status).toBe(200);
    const limited = await call("GET", "/v1/keys", { key: b.key });
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("X-RateLimit-Scope")).toBe("tenant");
    // Other tenants are unaffected.
    const other = await createTenant();
    expect((await call("GET", "/v1/keys", { key: other.key })).status).toBe(200);
  });

  it("fails closed: when the limiter cannot be reached, requests are refused with 503", async () => {
    const tenant = await createTenant();
    const unreachable = {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: () => ({
        consume: () => Promise.reject(new Error("Durable Object unreachable")),
      }),
    };
    const app = createApp();
    const request = new Request("https://edge.test/v1/keys", { headers: { Authorization: `Bearer ${tenant.key}` } });
    const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
    // A namespace whose stubs cannot be reached, as when the DO's colo is unavailable.
    const brokenEnv = { ...env, RATE_LIMITER: unreachable as unknown as typeof env.RATE_LIMITER };
    const response = await app.fetch(request, brokenEnv, ctx);
    const problem = await expectProblem(response, 503, "rate_limiter_unavailable");
    expect(problem.detail).toMatch(/not processed/);
    expect(response.headers.get("Retry-After")).toBe("1");
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ctx = () => ({ waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} }) as unknown as ExecutionContext;

async function usageKinds(tenantId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT kind FROM usage_events WHERE tenant_id = ?1 ORDER BY kind").bind(tenantId).all<{ kind: string }>();
  return rows.results.map((row) => row.kind);
}

/** Waits for the expected usage rows, then long enough for any stray event to have landed too. */
async function expectUsage(tenantId: string, kinds: string[]): Promise<void> {
  await eventually(async () => {
    expect(await usageKinds(tenantId)).toEqual(kinds);
  });
  await sleep(1_500);
  expect(await usageKinds(tenantId)).toEqual(kinds);
}

describe("rate limits on POST /v1/adapters (the limiter decides while the cache lookup runs)", () => {
  const post = (key: string, body: unknown, headers: Record<string, string> = {}) => call("POST", "/v1/adapters", { key, body, headers });

  it("refuses a request that would be a cache hit with 429, metering nothing and storing no idempotency record", async () => {
    const tenant = await createTenant();
    await usePlan(tenant.id, 3, 100);
    const description = uniqueDescription();
    expect((await post(tenant.key, { description })).status).toBe(201);
    const hit = await post(tenant.key, { description });
    expect(hit.status).toBe(200);
    expect(hit.headers.get("X-RateLimit-Remaining")).toBe("1");
    expect((await post(tenant.key, { description })).status).toBe(200);

    const limited = await post(tenant.key, { description });
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("X-RateLimit-Remaining")).toBe("0");
    const idempotencyKey = `idem-${crypto.randomUUID()}`;
    await expectProblem(await post(tenant.key, { description }, { "Idempotency-Key": idempotencyKey }), 429, "rate_limited");
    const record = await env.DB.prepare("SELECT 1 FROM idempotency_records WHERE tenant_id = ?1 AND idempotency_key = ?2").bind(tenant.id, idempotencyKey).first();
    expect(record).toBeNull();
    await expectUsage(tenant.id, ["cache_hit", "cache_hit", "generation"]);
  });

  it("waits for a limiter that answers after the lookup, and still refuses", async () => {
    const tenant = await createTenant();
    await usePlan(tenant.id, 1, 100);
    const description = uniqueDescription();
    expect((await post(tenant.key, { description })).status).toBe(201);
    let decided = 0;
    // The real limiter (which refuses: the one request a minute is spent), answering late.
    const slow = {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: (id: DurableObjectId) => ({
        consume: async (request: Parameters<RateLimiter["consume"]>[0]) => {
          await sleep(100);
          const decision = await env.RATE_LIMITER.get(id).consume(request);
          decided++;
          return decision;
        },
      }),
    };
    const slowEnv = { ...env, RATE_LIMITER: slow as unknown as typeof env.RATE_LIMITER };
    const request = new Request("https://edge.test/v1/adapters", {
      method: "POST",
      headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ description }),
    });
    await expectProblem(await createApp().fetch(request, slowEnv, ctx()), 429, "rate_limited");
    expect(decided).toBe(1);
    await expectUsage(tenant.id, ["generation"]);
  });

  it("fails closed on a would-be cache hit: 503 when the limiter cannot be reached, nothing metered", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription();
    expect((await post(tenant.key, { description })).status).toBe(201);
    const unreachable = {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: () => ({ consume: () => Promise.reject(new Error("Durable Object unreachable")) }),
    };
    const brokenEnv = { ...env, RATE_LIMITER: unreachable as unknown as typeof env.RATE_LIMITER };
    const request = new Request("https://edge.test/v1/adapters", {
      method: "POST",
      headers: { Authorization: `Bearer ${tenant.key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ description }),
    });
    await expectProblem(await createApp().fetch(request, brokenEnv, ctx()), 503, "rate_limiter_unavailable");
    await expectUsage(tenant.id, ["generation"]);
  });

  it.each([
    ["refused: the 429 wins over the invalid body", 1, 429, "rate_limited"],
    ["admitted: the 400, with the limit headers", 0, 400, "invalid_request"],
  ])("answers an invalid body when %s", async (_, spent, status, code) => {
    const tenant = await createTenant();
    await usePlan(tenant.id, 1, 100);
    for (let i = 0; i < spent; i++) expect((await call("GET", "/v1/me", { key: tenant.key })).status).toBe(200);
    const response = await post(tenant.key, { description: 42 });
    await expectProblem(response, status, code);
    expect(response.headers.get("X-RateLimit-Limit")).toBe("1");
  });
});

describe("RateLimiter persistence", () => {
  it("saves counted requests within the persist interval, so a restarted instance keeps counting", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`persist-${crypto.randomUUID()}`));
    const request = { keyId: "key_a", keyLimit: 5, tenantLimit: 100 };
    const now = Date.now();
    for (let i = 0; i < 3; i++) expect((await stub.consume(request, now)).allowed).toBe(true);
    await sleep(PERSIST_INTERVAL_MS + 200);
    await runInDurableObject(stub, async (_instance: RateLimiter, state) => {
      const stored = await state.storage.get<WindowState>(["tenant", "key:key_a"]);
      expect(stored.get("key:key_a")?.current).toBe(3);
      expect(stored.get("tenant")?.current).toBe(3);
      // A new instance over the same storage (as after an eviction) carries on from 3.
      const restarted = new RateLimiter(state, env);
      expect(await restarted.consume(request, now)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await restarted.consume(request, now)).toMatchObject({ allowed: true, remaining: 0 });
      expect((await restarted.consume(request, now)).allowed).toBe(false);
    });
  });

  it("writes nothing for refused requests", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`persist-${crypto.randomUUID()}`));
    const now = Date.now();
    expect((await stub.consume({ keyId: "key_b", keyLimit: 0, tenantLimit: 100 }, now)).allowed).toBe(false);
    await sleep(PERSIST_INTERVAL_MS + 200);
    await runInDurableObject(stub, async (_instance: RateLimiter, state) => {
      expect((await state.storage.list()).size).toBe(0);
    });
  });
});
