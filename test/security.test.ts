// One security suite, run against every tenant-authenticated route: no key, malformed key,
// unknown key, revoked key, wrong scope, and another tenant's ids. A meta-test checks the
// table against the OpenAPI document, so a new authenticated route cannot skip the suite.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SCOPES, type Scope } from "../src/lib/scopes";
import { call, createTenant, expectProblem, mintKey, type TestTenant } from "./support/api";
import { uniqueDescription } from "./support/standin";

interface Fixture {
  owner: TestTenant;
  intruder: TestTenant;
  adapterId: string;
  keyId: string;
}

interface RouteCase {
  method: string;
  /** OpenAPI path template, e.g. /v1/adapters/{adapter_id}. */
  template: string;
  /** null: any valid key will do (no scope case). */
  scope: Scope | null;
  path: (f: Fixture) => string;
  body?: unknown;
  /** Whether the path names a tenant-owned resource (then another tenant gets 404). */
  owned: boolean;
}

const ROUTES: RouteCase[] = [
  { method: "POST", template: "/v1/adapters", scope: "adapters:write", path: () => "/v1/adapters", body: { description: "security suite" }, owned: false },
  { method: "GET", template: "/v1/adapters", scope: "adapters:read", path: () => "/v1/adapters", owned: false },
  { method: "GET", template: "/v1/adapters/{adapter_id}", scope: "adapters:read", path: (f) => `/v1/adapters/${f.adapterId}`, owned: true },
  { method: "DELETE", template: "/v1/adapters/{adapter_id}", scope: "adapters:write", path: (f) => `/v1/adapters/${f.adapterId}`, owned: true },
  {
    method: "GET",
    template: "/v1/adapters/{adapter_id}/files/{file}",
    scope: "adapters:read",
    path: (f) => `/v1/adapters/${f.adapterId}/files/adapter_model.safetensors`,
    owned: true,
  },
  { method: "POST", template: "/v1/keys", scope: "keys:manage", path: () => "/v1/keys", body: { name: "x", scopes: ["usage:read"] }, owned: false },
  { method: "GET", template: "/v1/keys", scope: "keys:manage", path: () => "/v1/keys", owned: false },
  { method: "DELETE", template: "/v1/keys/{key_id}", scope: "keys:manage", path: (f) => `/v1/keys/${f.keyId}`, owned: true },
  { method: "GET", template: "/v1/usage", scope: "usage:read", path: () => "/v1/usage", owned: false },
  { method: "GET", template: "/v1/me", scope: null, path: () => "/v1/me", owned: false },
];

let fixture: Fixture;

beforeAll(async () => {
  const owner = await createTenant();
  const intruder = await createTenant();
  const adapter = await call("POST", "/v1/adapters", { key: owner.key, body: { description: uniqueDescription() } });
  expect(adapter.status).toBe(201);
  const spareKey = await mintKey(owner.id, ["usage:read"]);
  fixture = { owner, intruder, adapterId: (await adapter.json<{ id: string }>()).id, keyId: spareKey.id };
});

describe("every authenticated route is in the security suite", () => {
  it("matches the OpenAPI document", async () => {
    const doc = await (await call("GET", "/openapi.json")).json<{ paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>> }>();
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.security?.some((entry) => "ApiKey" in entry))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(ROUTES.map((route) => `${route.method} ${route.template}`).sort()).toEqual(documented.sort());
  });
});

describe.each(ROUTES)("$method $template", (route) => {
  const send = (key: string | null, f = fixture) => call(route.method, route.path(f), { key, body: route.body });

  it("401 without a key, with WWW-Authenticate", async () => {
    const response = await send(null);
    await expectProblem(response, 401, "missing_api_key");
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm=/);
  });

  it.each([
    ["malformed", "not-a-key"],
    ["wrong prefix", `sk_live_${"a".repeat(43)}`],
    ["unknown", `t2l_sk_${"A".repeat(43)}`],
  ])("401 with a %s key", async (_, key) => {
    const response = await send(key);
    await expectProblem(response, 401, "invalid_api_key");
    expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("401 with a revoked key", async () => {
    const key = await mintKey(fixture.owner.id, route.scope ? [route.scope] : ["usage:read"]);
    await env.DB.prepare("UPDATE api_keys SET revoked_at = 1 WHERE id = ?1").bind(key.id).run();
    await expectProblem(await send(key.key), 401, "invalid_api_key");
  });

  it.runIf(route.scope !== null)("403 with a key that lacks the scope", async () => {
    const others = SCOPES.filter((scope) => scope !== route.scope);
    const key = await mintKey(fixture.owner.id, others);
    const response = await send(key.key);
    await expectProblem(response, 403, "insufficient_scope");
    expect(response.headers.get("WWW-Authenticate")).toContain(`scope="${route.scope ?? ""}"`);
  });

  it.runIf(route.owned)("404 for another tenant's resource, which stays intact", async () => {
    await expectProblem(await send(fixture.intruder.key), 404, "not_found");
    const stillThere = await env.DB.prepare("SELECT (SELECT COUNT(*) FROM adapters WHERE id = ?1 AND deleted_at IS NULL) + (SELECT COUNT(*) FROM api_keys WHERE id = ?2 AND revoked_at IS NULL) AS n")
      .bind(fixture.adapterId, fixture.keyId)
      .first<{ n: number }>();
    expect(stillThere?.n).toBe(2);
  });
});
