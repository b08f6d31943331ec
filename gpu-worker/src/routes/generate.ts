/** POST /v1/generate: description in, PEFT safetensors bytes out (Contract 3). */
import { createHash } from "node:crypto";

import { z } from "zod";

import { packAdapter } from "../adapter/packAdapter.js";
import { WorkerError } from "../http/errors.js";
import type { Route, RouteRequest, RouteResponse, WorkerServices } from "../http/route.js";
import { codePointLength, descriptionSha256, MAX_DESCRIPTION_CHARS, normalizeDescription } from "../normalize.js";

/** Raw text may carry extra whitespace that normalisation removes; this only bounds the work. */
export const MAX_RAW_DESCRIPTION_CHARS = 4 * MAX_DESCRIPTION_CHARS;

export const GenerateRequest = z.strictObject({
  description: z.string().max(MAX_RAW_DESCRIPTION_CHARS),
  bundle: z
    .string()
    .max(200)
    .regex(/^[a-z0-9][a-z0-9._-]*(@[A-Za-z0-9][A-Za-z0-9._+-]*)?$/, "must be name or name@version")
    .optional(),
  dtype: z.enum(["float16", "float32"]).default("float16"),
});
export type GenerateRequest = z.input<typeof GenerateRequest>;

/** Response headers besides Content-Type/Content-Length; the body is the safetensors file. */
export interface GenerateResponseHeaders {
  "x-adapter-sha256": string;
  "x-bundle": string;
  "x-description-sha256": string;
  "x-generation-ms": string;
}

export const generateRoute: Route = {
  method: "POST",
  path: "/v1/generate",
  signed: true,
  async handle(request: RouteRequest, services: WorkerServices): Promise<RouteResponse> {
    if (!String(request.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      throw new WorkerError("unsupported_media_type", "send Content-Type: application/json");
    }
    let raw: unknown;
    try {
      raw = JSON.parse(request.body.toString("utf8"));
    } catch (error) {
      throw new WorkerError("invalid_json", (error as Error).message);
    }
    const parsed = GenerateRequest.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      throw new WorkerError("invalid_request", issues.map((i) => `${i.path || "(body)"}: ${i.message}`).join("; "), {}, { issues });
    }
    const { description, bundle: bundleRef, dtype } = parsed.data;

    const normalized = normalizeDescription(description);
    const length = codePointLength(normalized);
    if (length === 0) throw new WorkerError("description_empty", "description has no text once whitespace is normalised");
    if (length > MAX_DESCRIPTION_CHARS) {
      throw new WorkerError("description_too_long", `normalised description has ${length} characters; the limit is ${MAX_DESCRIPTION_CHARS}`);
    }
    const bundle = services.registry.resolve(bundleRef);

    const lora = await services.batcher.submit(bundle.id, normalized, request.signal);
    const descriptionHash = descriptionSha256(normalized);
    const file = await packAdapter(bundle, lora, dtype, descriptionHash, services.float16);
    services.metrics.adapters.inc({ bundle: bundle.id, dtype });

    const headers: GenerateResponseHeaders = {
      "x-adapter-sha256": createHash("sha256").update(file).digest("hex"),
      "x-bundle": bundle.id,
      "x-description-sha256": descriptionHash,
      "x-generation-ms": (performance.now() - request.receivedAt).toFixed(1),
    };
    return { status: 200, headers: { "content-type": "application/octet-stream", ...headers }, body: file };
  },
};
