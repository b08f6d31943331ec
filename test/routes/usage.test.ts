import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UsageMeter } from "../../src/services/usage-meter";
import { OUTBOX_MAX_EVENTS, UsageOutbox } from "../../src/services/usage-outbox";
import { call, createTenant, expectProblem } from "../support/api";
import { eventually, uniqueDescription } from "../support/standin";

interface UsageBody {
  granularity: string;
  series: { start: string; generations: number; cache_hits: number; downloads: number; bytes_generated: number; bytes_downloaded: number; gpu_ms: number }[];
  totals: Record<string, number>;
  quota: { plan: string; monthly_generations: number; used_this_month: number };
}

const HOUR = 3_600_000;
const inline = { waitUntil: () => undefined };

describe("GET /v1/usage", () => {
  it("returns a gap-free hourly and daily series with totals and quota, deduplicating event ids", async () => {
    const tenant = await createTenant("pro");
    const meter = new UsageMeter(env.DB, env.USAGE_EVENTS, inline);
    const base = Date.UTC(2026, 10, 27, 10, 0, 0);
    const event = { tenantId: tenant.id, keyId: tenant.keyId, adapterId: "ad_x", bundleRef: "b@1" };
    const generation = { ...event, eventId: "e1", kind: "generation", bytes: 100, gpuMs: 40, at: base + 5 * 60_000 } as const;
    // The same event delivered twice (a redelivered queue batch) counts once.
    await meter.insertMany([generation, { ...event, eventId: "e2", kind: "cache_hit", bytes: 100, gpuMs: 0, at: base + 10 * 60_000 }]);
    await meter.insertMany([generation, { ...event, eventId: "e3", kind: "download", bytes: 60, gpuMs: 0, at: base + 2 * HOUR + 1 }]);

    const from = new Date(base).toISOString();
    const to = new Date(base + 3 * HOUR).toISOString();
    const response = await call("GET", `/v1/usage?from=${from}&to=${to}&granularity=hour`, { key: tenant.key });
    expect(response.status).toBe(200);
    const body = await response.json<UsageBody>();
    expect(body.series.map((b) => [b.start, b.generations, b.cache_hits, b.downloads, b.bytes_generated, b.bytes_downloaded, b.gpu_ms])).toEqual([
      [from, 1, 1, 0, 100, 0, 40],
      [new Date(base + HOUR).toISOString(), 0, 0, 0, 0, 0, 0],
      [new Date(base + 2 * HOUR).toISOString(), 0, 0, 1, 0, 60, 0],
    ]);
    expect(body.totals).toEqual({ generations: 1, cache_hits: 1, downloads: 1, bytes_generated: 100, bytes_downloaded: 60, gpu_ms: 40 });
    expect(body.quota).toMatchObject({ plan: "pro", monthly_generations: 10000 });

    const daily = await (await call("GET", `/v1/usage?from=${from}&to=${to}&granularity=day`, { key: tenant.key })).json<UsageBody>();
    expect(daily.series).toHaveLength(1);
    expect(daily.series[0]).toMatchObject({ start: "2026-11-27T00:00:00.000Z", generations: 1, downloads: 1 });
  });

  it("defaults to the last 24 hours", async () => {
    const tenant = await createTenant();
    const body = await (await call("GET", "/v1/usage", { key: tenant.key })).json<UsageBody>();
    expect(body.granularity).toBe("hour");
    expect(body.series.length).toBeGreaterThanOrEqual(24);
  });

  it("never shows another tenant's usage", async () => {
    const owner = await createTenant();
    const other = await createTenant();
    const meter = new UsageMeter(env.DB, env.USAGE_EVENTS, inline);
    await meter.insertMany([{ tenantId: owner.id, keyId: owner.keyId, adapterId: null, bundleRef: null, eventId: "x", kind: "generation", bytes: 1, gpuMs: 1, at: Date.now() }]);
    const body = await (await call("GET", "/v1/usage", { key: other.key })).json<UsageBody>();
    expect(body.totals.generations).toBe(0);
  });

  it.each([
    ["from after to", "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z"],
    ["a range too long for hourly buckets", "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&granularity=hour"],
    ["an unknown granularity", "granularity=minute"],
    ["a malformed date", "from=yesterday"],
  ])("rejects %s", async (_, query) => {
    const tenant = await createTenant();
    await expectProblem(await call("GET", `/v1/usage?${query}`, { key: tenant.key }), 400, "invalid_request");
  });
});

describe("usage outbox (events batched per isolate onto the queue)", () => {
  const countKinds = async (tenantId: string) => {
    const rows = await env.DB.prepare("SELECT kind, COUNT(*) AS n FROM usage_events WHERE tenant_id = ?1 GROUP BY kind ORDER BY kind").bind(tenantId).all();
    return rows.results;
  };

  it("meters each of many concurrent cache hits once", async () => {
    const tenant = await createTenant();
    const description = uniqueDescription();
    expect((await call("POST", "/v1/adapters", { key: tenant.key, body: { description } })).status).toBe(201);
    const hits = await Promise.all(Array.from({ length: 6 }, () => call("POST", "/v1/adapters", { key: tenant.key, body: { description } })));
    expect(hits.map((hit) => hit.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await eventually(async () => {
      expect(await countKinds(tenant.id)).toEqual([
        { kind: "cache_hit", n: 6 },
        { kind: "generation", n: 1 },
      ]);
    });
  });

  it("delivers every event when more arrive in one window than a queue batch takes", async () => {
    const tenant = await createTenant();
    const held: Promise<unknown>[] = [];
    const outbox = new UsageOutbox(env.USAGE_EVENTS);
    const total = OUTBOX_MAX_EVENTS + 30;
    for (let i = 0; i < total; i++) {
      outbox.add(
        { eventId: `bulk-${i}`, tenantId: tenant.id, keyId: tenant.keyId, kind: "download", adapterId: null, bundleRef: null, bytes: 1, gpuMs: 0, at: Date.now() },
        { waitUntil: (promise) => held.push(promise) },
      );
    }
    // One send for the full batch, one for the rest when its window closes.
    expect(held).toHaveLength(3);
    await Promise.all(held);
    await eventually(async () => {
      expect(await countKinds(tenant.id)).toEqual([{ kind: "download", n: total }]);
    });
  });
});
