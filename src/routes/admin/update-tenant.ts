import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireOperator } from "../../middleware/operator-auth";
import { prefixedId, problemResponses } from "../../schemas/common";
import { auditStatement } from "../../services/audit";
import { PLANS } from "../../services/tenant-store";
import { TenantSchema } from "./tenant-schema";

export const UpdateTenantRequest = z
  .object({ plan: z.enum(PLANS).optional(), status: z.enum(["active", "suspended"]).optional() })
  .strict()
  .refine((body) => body.plan !== undefined || body.status !== undefined, "send `plan`, `status` or both")
  .openapi("UpdateTenantRequest");
export type UpdateTenantRequest = z.infer<typeof UpdateTenantRequest>;

export const updateTenantRoute = createRoute({
  method: "patch",
  path: "/admin/tenants/{tenant_id}",
  tags: ["admin"],
  summary: "Change a tenant's plan or suspend/reactivate it (operator key)",
  security: [{ OperatorKey: [] }],
  middleware: [requireOperator] as const,
  request: {
    params: z.object({ tenant_id: prefixedId("ten", "ten_01jf3k5v8q0000000000000000") }),
    body: { required: true, content: { "application/json": { schema: UpdateTenantRequest } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(400, 401, 404, 413, 415, 500),
  },
});

export function registerUpdateTenant(app: OpenAPIHono<AppEnv>): void {
  app.openapi(updateTenantRoute, async (c) => {
    const { tenant_id: tenantId } = c.req.valid("param");
    const changes = c.req.valid("json");
    const { tenants, keys } = c.get("services");
    if (!(await tenants.get(tenantId))) throw new ApiError("not_found", `No tenant ${tenantId}.`);
    const now = Date.now();
    await c.env.DB.batch([
      tenants.updateStatement(tenantId, changes),
      auditStatement(c.env.DB, { tenantId, actor: "operator", action: "tenant.update", targetId: tenantId, requestId: c.get("requestId"), details: changes, now }),
    ]);
    // Cached principals carry the plan and status: drop them so the change applies now.
    await keys.forget(await keys.hashesForTenant(tenantId));
    const updated = await tenants.get(tenantId);
    if (!updated) throw new ApiError("not_found", `No tenant ${tenantId}.`);
    return c.json(updated, 200);
  });
}
