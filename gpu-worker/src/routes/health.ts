/** GET /healthz: 200 while serving, 503 once shutdown has begun so load balancers drain us. */
import { json, type Route } from "../http/route.js";

export interface HealthResponse {
  status: "ok" | "shutting_down";
  bundles: string[];
  queue_depth: number;
}

export const healthRoute: Route = {
  method: "GET",
  path: "/healthz",
  signed: false,
  async handle(_request, { registry, batcher, lifecycle }) {
    const body: HealthResponse = {
      status: lifecycle.shuttingDown ? "shutting_down" : "ok",
      bundles: registry.ids,
      queue_depth: batcher.depth,
    };
    return json(lifecycle.shuttingDown ? 503 : 200, body);
  },
};
