import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses } from "../../schemas/common";
import { auditStatement } from "../../services/audit";
import { CreatedKeySchema, CreateKeyRequest } from "./key-schema";

export const createKeyRoute = createRoute({
  method: "post",
  path: "/v1/keys",
  tags: ["keys"],
  summary: "Create an API key for your tenant (scope keys:manage); the secret is returned once",
  security: bearerSecurity,
  middleware: [requireScope("keys:manage")] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateKeyRequest } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedKeySchema } } },
    ...problemResponses(400, 413, 415, ...AUTHENTICATED_ERRORS),
  },
});

export function registerCreateKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createKeyRoute, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const beyond = body.scopes.filter((scope) => !principal.scopes.includes(scope));
    if (beyond.length > 0) throw new ApiError("scope_escalation", `The calling key cannot grant ${beyond.join(", ")}.`);
    const now = Date.now();
    const minted = await c.get("services").keys.mint({
      tenantId: principal.tenantId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expires_at === undefined ? null : Date.parse(body.expires_at),
      now,
    });
    const audit = auditStatement(c.env.DB, {
      tenantId: principal.tenantId,
      actor: principal.keyId,
      action: "key.create",
      targetId: minted.record.id,
      requestId: c.get("requestId"),
      details: { name: body.name, scopes: body.scopes },
      now,
    });
    await c.env.DB.batch([minted.insert, audit]);
    c.header("Cache-Control", "no-store");
    return c.json({ ...minted.record, key: minted.secret }, 201);
  });
}
