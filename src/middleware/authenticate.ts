import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import type { Scope } from "../lib/scopes";
import { isWellFormedApiKey } from "../services/key-store";
import { admit } from "./rate-limit";

const REALM = 'Bearer realm="text2lora"';

export function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

export interface ScopeOptions {
  /**
   * Start the route while the rate limiter decides, so the route's reads overlap the
   * limiter's round trip (the cache-hit path). The route must `await c.var.admission`
   * before any effect: a write, a metered event, a generation, its success response.
   * This middleware awaits it as well once the route returns, so a request the limiter
   * refused (or could not decide) is answered 429/503 whatever the route did.
   */
  overlapRateLimit?: boolean;
}

/**
 * Tenant API key auth for one route: 401 (with WWW-Authenticate) for a missing, malformed,
 * unknown, revoked or expired key; 403 for a key without `scope` or a suspended tenant;
 * then the key's and tenant's rate limits. `null` accepts any valid key.
 */
export function requireScope(scope: Scope | null, options: ScopeOptions = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) {
      throw new ApiError("missing_api_key", "Send your API key as `Authorization: Bearer t2l_sk_…`.", { headers: { "WWW-Authenticate": REALM } });
    }
    const invalid = () =>
      new ApiError("invalid_api_key", "The API key is malformed, unknown, expired or revoked.", {
        headers: { "WWW-Authenticate": `${REALM}, error="invalid_token"` },
      });
    if (!isWellFormedApiKey(token)) throw invalid();
    const principal = await c.get("timing").measure("auth", () => c.get("services").keys.authenticate(token));
    if (!principal) throw invalid();
    if (principal.tenantStatus !== "active") throw new ApiError("tenant_suspended", "This tenant is suspended; contact the operator.");
    if (scope !== null && !principal.scopes.includes(scope)) {
      throw new ApiError("insufficient_scope", `This API key lacks the \`${scope}\` scope.`, {
        headers: { "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${scope}"` },
      });
    }
    c.set("principal", principal);
    const admission = c.get("timing").measure("ratelimit", () => admit(c, principal));
    c.set("admission", admission);
    if (!options.overlapRateLimit) {
      await admission;
      await next();
      return;
    }
    // The route may fail (say, a 400) before it awaits the admission; that rejection is
    // handled here, after it returns, so it is never left unhandled.
    admission.catch(() => undefined);
    await next();
    await admission;
  });
}
