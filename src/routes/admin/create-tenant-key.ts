import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireOperator } from "../../middleware/operator-auth";
import { prefixedId, problemResponses } from "../../schemas/common";
import { auditStatement } from "../../services/audit";
import { CreatedKeySchema, CreateKeyRequest } from "../keys/key-schema";

export const createTenantKeyRoute = createRoute({
  method: "post",
  path: "/admin/tenants/{tenant_id}/keys",
  tags: ["admin"],
  summary: "Mint an API key for a tenant (operator key); the tenant's first key comes from here",
  security: [{ OperatorKey: [] }],
  middleware: [requireOperator] as const,
  request: {
    params: z.object({ tenant_id: prefixedId("ten", "ten_01jf3k5v8q0000000000000000") }),
    body: { required: true, content: { "application/json": { schema: CreateKeyRequest } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: CreatedKeySchema } } },
    ...problemResponses(400, 401, 404, 413, 415, 500),
  },
});

export function registerCreateTenantKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createTenantKeyRoute, async (c) => {
    const { tenant_id: tenantId } = c.req.valid("param");
    const body = c.req.valid("json");
    const { tenants, keys } = c.get("services");
    if (!(await tenants.get(tenantId))) throw new ApiError("not_found", `No tenant ${tenantId}.`);
    const now = Date.now();
    const minted = await keys.mint({
      tenantId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expires_at === undefined ? null : Date.parse(body.expires_at),
      now,
    });
    await c.env.DB.batch([
      minted.insert,
      auditStatement(c.env.DB, { tenantId, actor: "operator", action: "key.create", targetId: minted.record.id, requestId: c.get("requestId"), details: { name: body.name, scopes: body.scopes }, now }),
    ]);
    c.header("Cache-Control", "no-store");
    return c.json({ ...minted.record, key: minted.secret }, 201);
  });
}
