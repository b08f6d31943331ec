import { describe, expect, it } from "vitest";
import { call, createTenant, expectProblem } from "../support/api";

describe("platform behaviour shared by every route", () => {
  it("healthz answers with a request id", async () => {
    const response = await call("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Request-Id")).toMatch(/^req_/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("unknown routes are problem+json 404s", async () => {
    await expectProblem(await call("GET", "/v1/nothing-here"), 404, "not_found");
  });

  it("refuses bodies over the size limit before parsing them", async () => {
    const tenant = await createTenant();
    const body = JSON.stringify({ name: "x".repeat(20_000), scopes: ["usage:read"] });
    await expectProblem(await call("POST", "/v1/keys", { key: tenant.key, body }), 413, "payload_too_large");
  });

  it("refuses non-JSON bodies with 415 and malformed JSON with 400", async () => {
    const tenant = await createTenant();
    await expectProblem(await call("POST", "/v1/keys", { key: tenant.key, body: "name=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } }), 415, "unsupported_media_type");
    await expectProblem(await call("POST", "/v1/keys", { key: tenant.key, body: "{not json" }), 400, "invalid_request");
  });

  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const response = await call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const doc = await response.json<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/keys", "/v1/keys/{key_id}", "/admin/tenants"]));
    expect(doc.components.schemas).toHaveProperty("Problem");
  });
});
