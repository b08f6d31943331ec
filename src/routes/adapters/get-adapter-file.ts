import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses } from "../../schemas/common";
import { ADAPTER_FILES, openAdapterFile } from "../../services/adapter-files";
import { serveFile } from "../../services/file-response";
import { AdapterParams } from "./get-adapter";

export const AdapterFileParams = AdapterParams.extend({ file: z.enum(ADAPTER_FILES) });

const fileContent = {
  "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
  "application/json": { schema: z.string().openapi({ format: "binary" }) },
};

export const getAdapterFileRoute = createRoute({
  method: "get",
  path: "/v1/adapters/{adapter_id}/files/{file}",
  tags: ["adapters"],
  summary: "Download one adapter file with your API key (ETag, If-None-Match, Range)",
  security: bearerSecurity,
  middleware: [requireScope("adapters:read")] as const,
  request: { params: AdapterFileParams },
  responses: {
    200: { description: "The file", content: fileContent },
    206: { description: "The requested byte range", content: fileContent },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...problemResponses(400, 404, 409, 416, ...AUTHENTICATED_ERRORS),
  },
});

export function registerGetAdapterFile(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getAdapterFileRoute, async (c) => {
    const { adapter_id: adapterId, file } = c.req.valid("param");
    const principal = c.get("principal");
    const services = c.get("services");
    const row = await services.adapters.get(principal.tenantId, adapterId);
    if (!row) throw new ApiError("not_found", `No adapter ${adapterId}.`);
    const served = await serveFile(c.req.raw, await openAdapterFile(services, row, file), "private, max-age=31536000, immutable");
    if (served.bytes > 0) {
      services.usage.record({
        eventId: c.get("requestId"),
        tenantId: principal.tenantId,
        keyId: principal.keyId,
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
