import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Bodies are JSON only: anything else sent with a body is refused rather than silently ignored. */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method;
  const hasBody = c.req.header("Content-Length") !== undefined ? c.req.header("Content-Length") !== "0" : c.req.raw.body !== null;
  if ((method === "POST" || method === "PATCH" || method === "PUT") && hasBody) {
    const type = c.req.header("Content-Type") ?? "";
    if (!JSON_TYPE.test(type)) throw new ApiError("unsupported_media_type", "Send the request body as `Content-Type: application/json`.");
  }
  await next();
});
