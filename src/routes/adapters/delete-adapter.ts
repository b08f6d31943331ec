import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses } from "../../schemas/common";
import { auditStatement } from "../../services/audit";
import { blobKey } from "../../services/blob-store";
import { AdapterParams } from "./get-adapter";

export const deleteAdapterRoute = createRoute({
  method: "delete",
  path: "/v1/adapters/{adapter_id}",
  tags: ["adapters"],
  summary: "Delete an adapter; its file URLs stop working and the next request for it generates again",
  security: bearerSecurity,
  middleware: [requireScope("adapters:write")] as const,
  request: { params: AdapterParams },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(400, 404, 409, ...AUTHENTICATED_ERRORS),
  },
});

export function registerDeleteAdapter(app: OpenAPIHono<AppEnv>): void {
  app.openapi(deleteAdapterRoute, async (c) => {
    const { adapter_id: adapterId } = c.req.valid("param");
    const principal = c.get("principal");
    const { adapters, blobs, background } = c.get("services");
    const row = await adapters.get(principal.tenantId, adapterId);
    if (!row) throw new ApiError("not_found", `No adapter ${adapterId}.`);
    if (row.status !== "ready") throw new ApiError("adapter_not_ready", `Adapter ${adapterId} is still being generated; delete it once it is ready.`);
    const now = Date.now();
    await c.env.DB.batch([
      adapters.softDeleteStatement(principal.tenantId, adapterId, now),
      auditStatement(c.env.DB, { tenantId: principal.tenantId, actor: principal.keyId, action: "adapter.delete", targetId: adapterId, requestId: c.get("requestId"), now }),
    ]);
    await adapters.forgetIdentity({ tenantId: row.tenant_id, bundleRef: row.bundle_ref, descriptionSha256: row.description_sha256 });
    const blobSha = row.blob_sha256;
    if (blobSha !== null) {
      // Blobs are shared by content: the bytes go only when no live adapter still points at them.
      const requestId = c.get("requestId");
      background.waitUntil(
        (async () => {
          if (await adapters.releaseBlob(blobSha)) await blobs.delete(blobKey(blobSha));
        })().catch((error: unknown) => {
          console.error(JSON.stringify({ level: "error", msg: "blob cleanup failed", requestId, blob: blobSha, error: String(error) }));
        }),
      );
    }
    return c.body(null, 204);
  });
}
