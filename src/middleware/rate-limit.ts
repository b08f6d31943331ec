import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { withTimeout } from "../lib/timeout";
import type { RateDecision } from "../durable-objects/rate-limiter";
import type { Principal } from "../services/key-store";

// A rate-limiter that does not answer quickly is treated as down.
const RATE_LIMITER_TIMEOUT_MS = 2_000;

function rateHeaders(decision: RateDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetSeconds),
    "X-RateLimit-Scope": decision.scope,
  };
}

/**
 * Counts the request against the key's and the tenant's sliding windows (one Durable Object
 * round trip decides both). The promise resolves once the request is admitted, with the
 * limit headers set, and rejects with the 429 otherwise. Fails closed: a limiter that
 * cannot be reached rejects with 503, so the request is refused, never let through.
 */
export async function admit(c: Context<AppEnv>, principal: Principal): Promise<void> {
  let decision: RateDecision;
  try {
    const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(principal.tenantId));
    const request = { keyId: principal.keyId, keyLimit: principal.limits.keyRequestsPerMin, tenantLimit: principal.limits.tenantRequestsPerMin };
    decision = await withTimeout(stub.consume(request), RATE_LIMITER_TIMEOUT_MS, "rate limiter timed out");
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "rate limiter unavailable", requestId: c.get("requestId"), error: String(error) }));
    throw new ApiError("rate_limiter_unavailable", "Rate limiting is temporarily unavailable, so the request was not processed. Retry shortly.", {
      headers: { "Retry-After": "1" },
    });
  }
  const headers = rateHeaders(decision);
  if (!decision.allowed) {
    throw new ApiError("rate_limited", `Too many requests for this ${decision.scope}: the limit is ${decision.limit} per minute.`, {
      headers: { ...headers, "Retry-After": String(decision.resetSeconds) },
    });
  }
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}
