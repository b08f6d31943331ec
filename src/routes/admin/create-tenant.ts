import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { requireOperator } from "../../middleware/operator-auth";
import { problemResponses } from "../../schemas/common";
import { auditStatement } from "../../services/audit";
import { PLANS } from "../../services/tenant-store";
import { TenantSchema } from "./tenant-schema";

export const CreateTenantRequest = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "acme" }),
    plan: z.enum(PLANS).default("free"),
  })
  .strict()
  .openapi("CreateTenantRequest");
export type CreateTenantRequest = z.infer<typeof CreateTenantRequest>;
export type CreateTenantResponse = z.infer<typeof TenantSchema>;

export const createTenantRoute = createRoute({
  method: "post",
  path: "/admin/tenants",
  tags: ["admin"],
  summary: "Create a tenant (operator key)",
  security: [{ OperatorKey: [] }],
  middleware: [requireOperator] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateTenantRequest } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(400, 401, 413, 415, 500),
  },
});

export function registerCreateTenant(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createTenantRoute, async (c) => {
    const body = c.req.valid("json");
    const now = Date.now();
    const { tenants } = c.get("services");
    const { record, insert } = tenants.create({ name: body.name, plan: body.plan, now });
    const audit = auditStatement(c.env.DB, {
      tenantId: record.id,
      actor: "operator",
      action: "tenant.create",
      targetId: record.id,
      requestId: c.get("requestId"),
      details: { name: record.name, plan: record.plan },
      now,
    });
    await c.env.DB.batch([insert, audit]);
    return c.json(record, 201);
  });
}
