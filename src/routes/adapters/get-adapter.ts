import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, prefixedId, problemResponses } from "../../schemas/common";
import { AdapterSchema, toAdapter } from "./adapter-schema";

export const AdapterParams = z.object({ adapter_id: prefixedId("ad", "ad_01jf3k5v8q0000000000000000") });

export const getAdapterRoute = createRoute({
  method: "get",
  path: "/v1/adapters/{adapter_id}",
  tags: ["adapters"],
  summary: "One adapter, with freshly signed file URLs",
  security: bearerSecurity,
  middleware: [requireScope("adapters:read")] as const,
  request: { params: AdapterParams },
  responses: {
    200: { description: "The adapter", content: { "application/json": { schema: AdapterSchema } } },
    ...problemResponses(400, 404, ...AUTHENTICATED_ERRORS),
  },
});

export function registerGetAdapter(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getAdapterRoute, async (c) => {
    const { adapter_id: adapterId } = c.req.valid("param");
    const principal = c.get("principal");
    const services = c.get("services");
    const row = await services.adapters.get(principal.tenantId, adapterId);
    if (!row) throw new ApiError("not_found", `No adapter ${adapterId}.`);
    return c.json(await toAdapter(services, row, new URL(c.req.url).origin, principal.keyId), 200);
  });
}
