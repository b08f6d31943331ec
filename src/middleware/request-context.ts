import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { checkEnv } from "../env";
import { ApiError } from "../errors/api-error";
import { newId } from "../lib/ids";
import { ServerTiming } from "../lib/server-timing";
import { createServices } from "../services/services";

/**
 * First middleware: gives the request its id, refuses to serve on a broken configuration
 * (clear 500 `misconfigured` naming what is missing, never a crash deep in a handler),
 * and builds the request's services once.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = newId("req");
  c.set("requestId", requestId);
  const check = checkEnv(c.env);
  if (!check.ok) {
    console.error(JSON.stringify({ level: "error", msg: "misconfigured", requestId, problems: check.problems }));
    throw new ApiError("misconfigured", `The service is missing configuration: ${check.problems.join("; ")}`);
  }
  c.set("settings", check.settings);
  c.set("services", createServices(c.env, check.settings, c.executionCtx));
  const timing = new ServerTiming();
  c.set("timing", timing);
  await next();
  c.header("X-Request-Id", requestId);
  c.header("X-Content-Type-Options", "nosniff");
  // API answers carry tenant data and fresh signed URLs: never cached unless a route says so.
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  const header = timing.header();
  if (header) c.header("Server-Timing", header);
};
