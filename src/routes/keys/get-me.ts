import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { SCOPES } from "../../lib/scopes";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses } from "../../schemas/common";

export const MeResponse = z
  .object({
    tenant_id: z.string(),
    key_id: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    plan: z.string(),
    limits: z.object({ key_requests_per_min: z.number().int(), tenant_requests_per_min: z.number().int(), monthly_generations: z.number().int() }),
  })
  .openapi("Me");
export type MeResponse = z.infer<typeof MeResponse>;

export const getMeRoute = createRoute({
  method: "get",
  path: "/v1/me",
  tags: ["keys"],
  summary: "Who the calling key is: tenant, scopes, plan limits (any valid key)",
  security: bearerSecurity,
  middleware: [requireScope(null)] as const,
  responses: {
    200: { description: "The calling key", content: { "application/json": { schema: MeResponse } } },
    ...problemResponses(...AUTHENTICATED_ERRORS),
  },
});

export function registerGetMe(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getMeRoute, (c) => {
    const principal = c.get("principal");
    return c.json(
      {
        tenant_id: principal.tenantId,
        key_id: principal.keyId,
        scopes: principal.scopes,
        plan: principal.limits.plan,
        limits: {
          key_requests_per_min: principal.limits.keyRequestsPerMin,
          tenant_requests_per_min: principal.limits.tenantRequestsPerMin,
          monthly_generations: principal.limits.monthlyGenerations,
        },
      },
      200,
    );
  });
}
