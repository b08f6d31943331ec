/** GET /metrics: Prometheus text. Unsigned so a scraper needs no secret; it exposes no data. */
import type { Route } from "../http/route.js";

export const metricsRoute: Route = {
  method: "GET",
  path: "/metrics",
  signed: false,
  async handle(_request, { metrics }) {
    return { status: 200, headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" }, body: metrics.render() };
  },
};
