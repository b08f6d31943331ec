import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors/api-error";
import { timingSafeEqualStrings } from "../lib/crypto";
import { bearerToken } from "./authenticate";

/** The operator key (a secret) guards tenant management; compared in constant time. */
export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header("Authorization"));
  const headers = { "WWW-Authenticate": 'Bearer realm="text2lora-admin"' };
  if (!token) throw new ApiError("missing_api_key", "Send the operator key as `Authorization: Bearer …`.", { headers });
  if (!(await timingSafeEqualStrings(token, c.env.OPERATOR_KEY))) {
    throw new ApiError("invalid_operator_key", "The operator key is not valid.", { headers });
  }
  await next();
});
