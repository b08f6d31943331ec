import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { problemResponses } from "../../schemas/common";
import { ADAPTER_FILES } from "../../services/adapter-files";
import { CDN_PREFIX } from "../../services/url-signer";
import { AdapterParams } from "../adapters/get-adapter";
import { adapterFileContent, serveAdapterFile } from "../adapters/serve-adapter-file";

export const CdnFileQuery = z.object({
  expires: z.coerce.number().int().positive().openapi({ description: "Unix seconds after which the URL stops working." }),
  key: z.string().max(64).openapi({ description: "The API key id the URL was issued to (for metering)." }),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

export const getCdnFileRoute = createRoute({
  method: "get",
  path: `${CDN_PREFIX}/{adapter_id}/{file}`,
  tags: ["adapters"],
  summary: "Signed, expiring, immutable adapter file URL (no API key; cacheable by CDNs)",
  request: { params: AdapterParams.extend({ file: z.enum(ADAPTER_FILES) }), query: CdnFileQuery },
  responses: {
    200: { description: "The file", content: adapterFileContent },
    206: { description: "The requested byte range", content: adapterFileContent },
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
    return serveAdapterFile(c, row, file, query.key, `public, max-age=${maxAge}, immutable`);
  });
}
