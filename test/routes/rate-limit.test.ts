import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, createTenant, expectProblem, mintKey } from "../support/api";

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
