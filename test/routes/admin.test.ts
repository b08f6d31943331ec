import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createTenant, expectProblem, operator } from "../support/api";

describe("admin: tenants (operator key)", () => {
  it("creates, lists and updates a tenant, auditing each change", async () => {
    const created = await operator("POST", "/admin/tenants", { name: "acme", plan: "pro" });
    expect(created.status).toBe(201);
    const tenant = await created.json<{ id: string; plan: string; status: string }>();
    expect(tenant).toMatchObject({ name: "acme", plan: "pro", status: "active" });
    expect(tenant.id).toMatch(/^ten_/);

    const list = await operator("GET", "/admin/tenants?limit=100");
    expect((await list.json<{ data: { id: string }[] }>()).data.map((t) => t.id)).toContain(tenant.id);

    const updated = await operator("PATCH", `/admin/tenants/${tenant.id}`, { status: "suspended" });
    expect(await updated.json()).toMatchObject({ id: tenant.id, status: "suspended", plan: "pro" });

    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE tenant_id = ?1 ORDER BY id").bind(tenant.id).all<{ action: string }>();
    expect(audit.results.map((row) => row.action)).toEqual(["tenant.create", "tenant.update"]);
  });

  it("suspending a tenant stops its keys at once (cached principals are dropped)", async () => {
    const tenant = await createTenant();
    expect((await call("GET", "/v1/keys", { key: tenant.key })).status).toBe(200);
    await operator("PATCH", `/admin/tenants/${tenant.id}`, { status: "suspended" });
    await expectProblem(await call("GET", "/v1/keys", { key: tenant.key }), 403, "tenant_suspended");
  });

  it.each([
    ["missing name", { plan: "free" }],
    ["unknown plan", { name: "x", plan: "platinum" }],
    ["unknown field", { name: "x", owner: "me" }],
    ["name too long", { name: "x".repeat(101) }],
  ])("rejects a bad body: %s", async (_, body) => {
    const problem = await expectProblem(await operator("POST", "/admin/tenants", body), 400, "invalid_request");
    expect(Array.isArray(problem.errors)).toBe(true);
  });

  it("404s for an unknown tenant", async () => {
    await expectProblem(await operator("PATCH", "/admin/tenants/ten_0000000000zzzzzzzzzzzzzzzz", { plan: "pro" }), 404, "not_found");
  });

  it.each([
    ["no key", undefined],
    ["a wrong key", "t2l_op_not-the-operator-key-0123456789abcdef"],
  ])("refuses %s with 401 and WWW-Authenticate", async (_, key) => {
    const response = await call("POST", "/admin/tenants", { key, body: { name: "x" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
  });

  it("refuses a tenant API key on admin routes", async () => {
    const tenant = await createTenant();
    await expectProblem(await call("GET", "/admin/tenants", { key: tenant.key }), 401, "invalid_operator_key");
  });
});
