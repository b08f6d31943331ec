import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, PageQuery, problemResponses } from "../../schemas/common";
import { KeySchema } from "./key-schema";

export const ListKeysQuery = PageQuery.extend({
  include_revoked: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
});
export const ListKeysResponse = z.object({ data: z.array(KeySchema), next_after: z.string().nullable() }).openapi("ApiKeyList");
export type ListKeysResponse = z.infer<typeof ListKeysResponse>;

export const listKeysRoute = createRoute({
  method: "get",
  path: "/v1/keys",
  tags: ["keys"],
  summary: "List your tenant's API keys (never the secrets)",
  security: bearerSecurity,
  middleware: [requireScope("keys:manage")] as const,
  request: { query: ListKeysQuery },
  responses: {
    200: { description: "Keys, oldest first", content: { "application/json": { schema: ListKeysResponse } } },
    ...problemResponses(400, ...AUTHENTICATED_ERRORS),
  },
});

export function registerListKeys(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listKeysRoute, async (c) => {
    const { limit, after, include_revoked: includeRevoked } = c.req.valid("query");
    const data = await c.get("services").keys.list(c.get("principal").tenantId, { limit, after, includeRevoked });
    return c.json({ data, next_after: data.length === limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });
}
