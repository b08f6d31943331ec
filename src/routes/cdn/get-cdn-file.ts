import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { problemResponses } from "../../schemas/common";
import { ADAPTER_FILES, openAdapterFile } from "../../services/adapter-files";
import { serveFile } from "../../services/file-response";
import { CDN_PREFIX } from "../../services/url-signer";
import { AdapterParams } from "../adapters/get-adapter";

export const CdnFileQuery = z.object({
  expires: z.coerce.number().int().positive().openapi({ description: "Unix seconds after which the URL stops working." }),
  key: z.string().max(64).openapi({ description: "The API key id the URL was issued to (for metering)." }),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

const fileContent = {
  "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
  "application/json": { schema: z.string().openapi({ format: "binary" }) },
};

export const getCdnFileRoute = createRoute({
  method: "get",
  path: `${CDN_PREFIX}/{adapter_id}/{file}`,
  tags: ["adapters"],
  summary: "Signed, expiring, immutable adapter file URL (no API key; cacheable by CDNs)",
  request: { params: AdapterParams.extend({ file: z.enum(ADAPTER_FILES) }), query: CdnFileQuery },
  responses: {
    200: { description: "The file", content: fileContent },
    206: { description: "The requested byte range", content: fileContent },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...problemResponses(400, 403, 404, 409, 416, 500),
  },
});

export function registerGetCdnFile(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getCdnFileRoute, async (c) => {
    const { adapter_id: adapterId, file } = c.req.valid("param");
    const query = c.req.valid("query");
    const services = c.get("services");
    const now = Date.now() / 1000;
    const path = `${CDN_PREFIX}/${adapterId}/${file}`;
    if (!(await services.signer.verify(path, query, now))) {
      throw new ApiError("invalid_signature", "This download URL is invalid or has expired; fetch the adapter again for fresh URLs.");
    }
    const row = await services.adapters.getAnyTenant(adapterId);
    if (!row) throw new ApiError("not_found", `No adapter ${adapterId}.`);
    // Shared caches may keep the bytes, but never past the URL's own expiry.
    const maxAge = Math.max(0, Math.floor(query.expires - now));
    const served = await serveFile(c.req.raw, await openAdapterFile(services, row, file), `public, max-age=${maxAge}, immutable`);
    if (served.bytes > 0) {
      services.usage.record({
        eventId: c.get("requestId"),
        tenantId: row.tenant_id,
        keyId: query.key,
        kind: "download",
        adapterId,
        bundleRef: row.bundle_ref,
        bytes: served.bytes,
        gpuMs: 0,
        at: Date.now(),
      });
    }
    return served.response;
  });
}
