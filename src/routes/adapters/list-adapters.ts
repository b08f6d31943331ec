import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, PageQuery, problemResponses } from "../../schemas/common";
import { AdapterSchema, toAdapter } from "./adapter-schema";

export const ListAdaptersQuery = PageQuery.extend({
  bundle: z.string().max(170).optional().openapi({ description: "Only adapters of this bundle (`name@version`)." }),
});
export const ListAdaptersResponse = z.object({ data: z.array(AdapterSchema), next_after: z.string().nullable() }).openapi("AdapterList");
export type ListAdaptersResponse = z.infer<typeof ListAdaptersResponse>;

export const listAdaptersRoute = createRoute({
  method: "get",
  path: "/v1/adapters",
  tags: ["adapters"],
  summary: "List your tenant's adapters, oldest first",
  security: bearerSecurity,
  middleware: [requireScope("adapters:read")] as const,
  request: { query: ListAdaptersQuery },
  responses: {
    200: { description: "A page of adapters", content: { "application/json": { schema: ListAdaptersResponse } } },
    ...problemResponses(400, ...AUTHENTICATED_ERRORS),
  },
});

export function registerListAdapters(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listAdaptersRoute, async (c) => {
    const { limit, after, bundle } = c.req.valid("query");
    const principal = c.get("principal");
    const services = c.get("services");
    const rows = await services.adapters.list(principal.tenantId, { limit, after, bundleRef: bundle });
    const origin = new URL(c.req.url).origin;
    const data = await Promise.all(rows.map((row) => toAdapter(services, row, origin, principal.keyId)));
    return c.json({ data, next_after: rows.length === limit ? (rows.at(-1)?.id ?? null) : null }, 200);
  });
}
