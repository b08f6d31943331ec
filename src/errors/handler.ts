import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { ApiError } from "./api-error";
import { problemResponse } from "./problem";

/** The app's onError: ApiError as problem+json; anything else logged and rendered as `internal`. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId");
  if (error instanceof ApiError) return problemResponse(error, requestId);
  if (error instanceof HTTPException && error.status === 400) {
    return problemResponse(new ApiError("invalid_request", error.message || "The request is malformed."), requestId);
  }
  console.error(JSON.stringify({ level: "error", msg: "unhandled error", requestId, error: error.stack ?? String(error) }));
  return problemResponse(new ApiError("internal", "Something went wrong on our side. Quote the request id if you contact support."), requestId);
}

export function handleNotFound(c: Context<AppEnv>): Response {
  return problemResponse(new ApiError("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`), c.get("requestId"));
}
