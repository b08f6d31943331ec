import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Scope } from "../../src/lib/scopes";

export const ALL_SCOPES: Scope[] = ["adapters:read", "adapters:write", "keys:manage", "usage:read"];

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request through the real Worker entrypoint (same isolate, real bindings). */
export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.key) headers.set("Authorization", `Bearer ${options.key}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return exports.default.fetch(new Request(`https://edge.test${path}`, { method, headers, body }));
}

export function operator(method: string, path: string, body?: unknown): Promise<Response> {
  return call(method, path, { key: env.OPERATOR_KEY, body });
}

export interface TestTenant {
  id: string;
  key: string;
  keyId: string;
}

export async function createTenant(plan: "free" | "pro" | "enterprise" = "enterprise", scopes: Scope[] = ALL_SCOPES): Promise<TestTenant> {
  const tenantResponse = await operator("POST", "/admin/tenants", { name: `tenant-${crypto.randomUUID()}`, plan });
  expect(tenantResponse.status).toBe(201);
  const tenant = await tenantResponse.json<{ id: string }>();
  const key = await mintKey(tenant.id, scopes);
  return { id: tenant.id, key: key.key, keyId: key.id };
}

export async function mintKey(tenantId: string, scopes: Scope[], name = "test"): Promise<{ id: string; key: string }> {
  const response = await operator("POST", `/admin/tenants/${tenantId}/keys`, { name, scopes });
  expect(response.status).toBe(201);
  return response.json<{ id: string; key: string }>();
}

/** Asserts a problem+json error with the given status and stable code; returns the body. */
export async function expectProblem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  const problem = JSON.parse(text) as Record<string, unknown>;
  expect(problem.code).toBe(code);
  expect(problem.status).toBe(status);
  expect(problem.request_id).toMatch(/^req_/);
  expect(response.headers.get("X-Request-Id")).toBe(problem.request_id);
  return problem;
}
