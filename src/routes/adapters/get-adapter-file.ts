import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses } from "../../schemas/common";
import { ADAPTER_FILES } from "../../services/adapter-files";
import { AdapterParams } from "./get-adapter";
import { adapterFileContent, serveAdapterFile } from "./serve-adapter-file";

export const AdapterFileParams = AdapterParams.extend({ file: z.enum(ADAPTER_FILES) });

export const getAdapterFileRoute = createRoute({
  method: "get",
  path: "/v1/adapters/{adapter_id}/files/{file}",
  tags: ["adapters"],
  summary: "Download one adapter file with your API key (ETag, If-None-Match, Range)",
  security: bearerSecurity,
  middleware: [requireScope("adapters:read")] as const,
  request: { params: AdapterFileParams },
  responses: {
    200: { description: "The file", content: adapterFileContent },
    206: { description: "The requested byte range", content: adapterFileContent },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...problemResponses(400, 404, 409, 416, ...AUTHENTICATED_ERRORS),
  },
});

export function registerGetAdapterFile(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getAdapterFileRoute, async (c) => {
    const { adapter_id: adapterId, file } = c.req.valid("param");
    const principal = c.get("principal");
    const row = await c.get("services").adapters.get(principal.tenantId, adapterId);
    if (!row) throw new ApiError("not_found", `No adapter ${adapterId}.`);
    return serveAdapterFile(c, row, file, principal.keyId, "private, max-age=31536000, immutable");
  });
}
