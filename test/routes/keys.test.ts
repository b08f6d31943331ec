import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { call, createTenant, expectProblem, mintKey } from "../support/api";
import { eventually } from "../support/standin";

describe("tenant API keys", () => {
  it("creates a key shown once, stores only its hash, lists and revokes it", async () => {
    const tenant = await createTenant();
    const created = await call("POST", "/v1/keys", { key: tenant.key, body: { name: "ci", scopes: ["keys:manage"] } });
    expect(created.status).toBe(201);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const key = await created.json<{ id: string; key: string; prefix: string; scopes: string[] }>();
    expect(key.key).toMatch(/^t2l_sk_[A-Za-z0-9_-]{43}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const stored = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?1").bind(key.id).first();
    expect(stored?.key_hash).toBe(await sha256Hex(key.key));
    expect(JSON.stringify(stored)).not.toContain(key.key);

    const listed = await (await call("GET", "/v1/keys", { key: tenant.key })).json<{ data: Record<string, unknown>[] }>();
    expect(listed.data.map((k) => k.id)).toContain(key.id);
    // The calling key has been used (recorded off the hot path); the new one not yet.
    await eventually(async () => {
      const keys = await (await call("GET", "/v1/keys", { key: tenant.key })).json<{ data: { id: string; last_used_at: string | null }[] }>();
      expect(keys.data.find((k) => k.id === tenant.keyId)?.last_used_at).not.toBeNull();
      expect(keys.data.find((k) => k.id === key.id)?.last_used_at).toBeNull();
    });
    expect(JSON.stringify(listed)).not.toContain(key.key);

    expect((await call("GET", "/v1/keys", { key: key.key })).status).toBe(200);
    const revoked = await call("DELETE", `/v1/keys/${key.id}`, { key: tenant.key });
    expect(revoked.status).toBe(200);
    expect((await revoked.json<{ revoked_at: string | null }>()).revoked_at).not.toBeNull();
    // Revocation is immediate: the KV copy is dropped, not left to expire.
    await expectProblem(await call("GET", "/v1/keys", { key: key.key }), 401, "invalid_api_key");
    const afterList = await (await call("GET", "/v1/keys", { key: tenant.key })).json<{ data: { id: string }[] }>();
    expect(afterList.data.map((k) => k.id)).not.toContain(key.id);
    const withRevoked = await (await call("GET", "/v1/keys?include_revoked=true", { key: tenant.key })).json<{ data: { id: string }[] }>();
    expect(withRevoked.data.map((k) => k.id)).toContain(key.id);

    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE target_id = ?1 ORDER BY id").bind(key.id).all<{ action: string }>();
    expect(audit.results.map((row) => row.action)).toEqual(["key.create", "key.revoke"]);
  });

  it("refuses to mint a key with scopes the caller lacks", async () => {
    const tenant = await createTenant();
    const limited = await mintKey(tenant.id, ["keys:manage"]);
    await expectProblem(await call("POST", "/v1/keys", { key: limited.key, body: { name: "x", scopes: ["adapters:write"] } }), 403, "scope_escalation");
  });

  it("an expired key is refused", async () => {
    const tenant = await createTenant();
    const key = await mintKey(tenant.id, ["keys:manage"]);
    await env.DB.prepare("UPDATE api_keys SET expires_at = 1 WHERE id = ?1").bind(key.id).run();
    await expectProblem(await call("GET", "/v1/keys", { key: key.key }), 401, "invalid_api_key");
  });

  it.each([
    ["no scopes", { name: "x", scopes: [] }],
    ["unknown scope", { name: "x", scopes: ["admin"] }],
    ["repeated scope", { name: "x", scopes: ["usage:read", "usage:read"] }],
    ["expiry in the past", { name: "x", scopes: ["usage:read"], expires_at: "2001-01-01T00:00:00Z" }],
  ])("rejects %s", async (_, body) => {
    const tenant = await createTenant();
    await expectProblem(await call("POST", "/v1/keys", { key: tenant.key, body }), 400, "invalid_request");
  });

  it("cannot revoke another tenant's key (404, and the key keeps working)", async () => {
    const owner = await createTenant();
    const other = await createTenant();
    await expectProblem(await call("DELETE", `/v1/keys/${owner.keyId}`, { key: other.key }), 404, "not_found");
    expect((await call("GET", "/v1/keys", { key: owner.key })).status).toBe(200);
  });
});

describe("GET /v1/me", () => {
  it("describes the calling key with any scope", async () => {
    const tenant = await createTenant("pro");
    const key = await mintKey(tenant.id, ["usage:read"]);
    const response = await call("GET", "/v1/me", { key: key.key });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      tenant_id: tenant.id,
      key_id: key.id,
      scopes: ["usage:read"],
      plan: "pro",
      limits: { key_requests_per_min: 600, tenant_requests_per_min: 1200, monthly_generations: 10000 },
    });
  });
});
