import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { openAdapterFile, type AdapterFile } from "../../services/adapter-files";
import type { AdapterRow } from "../../services/adapter-store";
import { serveFile } from "../../services/file-response";

/** OpenAPI content of an adapter file response (both download routes). */
export const adapterFileContent = {
  "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
  "application/json": { schema: z.string().openapi({ format: "binary" }) },
};

/**
 * One file of an adapter as an HTTP response (conditional and range aware), metering the
 * bytes it carries as a download by `keyId`. Shared by the API-key and signed-URL routes.
 */
export async function serveAdapterFile(c: Context<AppEnv>, row: AdapterRow, file: AdapterFile, keyId: string, cacheControl: string): Promise<Response> {
  const services = c.get("services");
  const served = await serveFile(c.req.raw, await openAdapterFile(services, row, file), cacheControl);
  if (served.bytes > 0) {
    services.usage.record({
      eventId: c.get("requestId"),
      tenantId: row.tenant_id,
      keyId,
      kind: "download",
      adapterId: row.id,
      bundleRef: row.bundle_ref,
      bytes: served.bytes,
      gpuMs: 0,
      at: Date.now(),
    });
  }
  return served.response;
}
