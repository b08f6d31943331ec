import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";

export const HealthResponse = z.object({ status: z.literal("ok") }).openapi("Health");
export type HealthResponse = z.infer<typeof HealthResponse>;

export const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["meta"],
  summary: "Liveness: the Worker is up and its configuration is valid",
  responses: { 200: { description: "Up", content: { "application/json": { schema: HealthResponse } } } },
});

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));
}
