import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { requireOperator } from "../../middleware/operator-auth";
import { PageQuery, problemResponses } from "../../schemas/common";
import { TenantSchema } from "./tenant-schema";

export const ListTenantsResponse = z
  .object({ data: z.array(TenantSchema), next_after: z.string().nullable() })
  .openapi("TenantList");
export type ListTenantsResponse = z.infer<typeof ListTenantsResponse>;

export const listTenantsRoute = createRoute({
  method: "get",
  path: "/admin/tenants",
  tags: ["admin"],
  summary: "List tenants (operator key)",
  security: [{ OperatorKey: [] }],
  middleware: [requireOperator] as const,
  request: { query: PageQuery },
  responses: {
    200: { description: "Tenants, oldest first", content: { "application/json": { schema: ListTenantsResponse } } },
    ...problemResponses(400, 401, 500),
  },
});

export function registerListTenants(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listTenantsRoute, async (c) => {
    const { limit, after } = c.req.valid("query");
    const data = await c.get("services").tenants.list({ limit, after });
    return c.json({ data, next_after: data.length === limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });
}
