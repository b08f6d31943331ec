import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, prefixedId, problemResponses } from "../../schemas/common";
import { auditStatement } from "../../services/audit";
import { toKeyRecord } from "../../services/key-store";
import { KeySchema } from "./key-schema";

export const revokeKeyRoute = createRoute({
  method: "delete",
  path: "/v1/keys/{key_id}",
  tags: ["keys"],
  summary: "Revoke one of your tenant's API keys; it stops working at once",
  security: bearerSecurity,
  middleware: [requireScope("keys:manage")] as const,
  request: { params: z.object({ key_id: prefixedId("key", "key_01jf3k5v8q0000000000000000") }) },
  responses: {
    200: { description: "Revoked (revoking twice is a no-op)", content: { "application/json": { schema: KeySchema } } },
    ...problemResponses(404, ...AUTHENTICATED_ERRORS),
  },
});

export function registerRevokeKey(app: OpenAPIHono<AppEnv>): void {
  app.openapi(revokeKeyRoute, async (c) => {
    const { key_id: keyId } = c.req.valid("param");
    const principal = c.get("principal");
    const { keys } = c.get("services");
    const row = await keys.get(principal.tenantId, keyId);
    // Another tenant's key id looks exactly like a missing one.
    if (!row) throw new ApiError("not_found", `No API key ${keyId}.`);
    if (row.revoked_at === null) {
      const now = Date.now();
      await c.env.DB.batch([
        keys.revokeStatement(principal.tenantId, keyId, now),
        auditStatement(c.env.DB, { tenantId: principal.tenantId, actor: principal.keyId, action: "key.revoke", targetId: keyId, requestId: c.get("requestId"), now }),
      ]);
      row.revoked_at = now;
    }
    await keys.forget([row.key_hash]);
    return c.json(toKeyRecord(row), 200);
  });
}
