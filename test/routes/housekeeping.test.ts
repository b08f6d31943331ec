import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { sweep } from "../../src/services/housekeeping";
import { createTenant } from "../support/api";

describe("hourly housekeeping", () => {
  it("removes expired idempotency records and dead generations' pending rows, keeping the rest", async () => {
    const tenant = await createTenant();
    const now = Date.now();
    const day = 24 * 3600 * 1000;
    await env.DB.batch([
      env.DB.prepare("INSERT INTO idempotency_records (tenant_id, idempotency_key, request_sha256, status, response_body, created_at) VALUES (?1, 'old', 'x', 200, '{}', ?2)").bind(tenant.id, now - 2 * day),
      env.DB.prepare("INSERT INTO idempotency_records (tenant_id, idempotency_key, request_sha256, status, response_body, created_at) VALUES (?1, 'new', 'x', 200, '{}', ?2)").bind(tenant.id, now),
      env.DB.prepare(
        "INSERT INTO adapters (id, tenant_id, created_by_key_id, bundle_ref, description, description_sha256, visibility, status, created_at) VALUES ('ad_dead', ?1, ?2, 'b@1', 'd', 'h1', 'private', 'pending', ?3)",
      ).bind(tenant.id, tenant.keyId, now - 3600 * 1000),
      env.DB.prepare(
        "INSERT INTO adapters (id, tenant_id, created_by_key_id, bundle_ref, description, description_sha256, visibility, status, created_at) VALUES ('ad_running', ?1, ?2, 'b@1', 'd', 'h2', 'private', 'pending', ?3)",
      ).bind(tenant.id, tenant.keyId, now - 1000),
    ]);
    expect(await sweep(env.DB, now)).toEqual({ expiredIdempotencyRecords: 1, stalePendingAdapters: 1 });
    const keys = await env.DB.prepare("SELECT idempotency_key FROM idempotency_records WHERE tenant_id = ?1").bind(tenant.id).all();
    expect(keys.results).toEqual([{ idempotency_key: "new" }]);
    const adapters = await env.DB.prepare("SELECT id FROM adapters WHERE tenant_id = ?1").bind(tenant.id).all();
    expect(adapters.results).toEqual([{ id: "ad_running" }]);
  });

  it("runs from the Worker's scheduled handler", async () => {
    const tenant = await createTenant();
    await env.DB.prepare(
      "INSERT INTO adapters (id, tenant_id, created_by_key_id, bundle_ref, description, description_sha256, visibility, status, created_at) VALUES ('ad_cron', ?1, ?2, 'b@1', 'd', 'h3', 'private', 'pending', 1)",
    )
      .bind(tenant.id, tenant.keyId)
      .run();
    await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env);
    expect(await env.DB.prepare("SELECT id FROM adapters WHERE id = 'ad_cron'").first()).toBeNull();
  });
});
