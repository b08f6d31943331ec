import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { ApiError } from "../../errors/api-error";
import { sha256Hex } from "../../lib/crypto";
import { codePointLength, descriptionSha256, MAX_NORMALIZED_CHARS, normalizeDescription } from "../../lib/normalize";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses } from "../../schemas/common";
import type { AdapterRow, Identity } from "../../services/adapter-store";
import { AdapterSchema, toAdapter } from "./adapter-schema";

export const CreateAdapterRequest = z
  .object({
    description: z
      .string()
      // Raw input may carry extra whitespace; the 2000-character limit applies after normalisation.
      .max(8000)
      .openapi({ description: "Plain-language task description (1..2000 characters once normalised).", example: "Solve grade-school math word problems step by step." }),
    bundle: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,99}(@[A-Za-z0-9][A-Za-z0-9._+-]{0,63})?$/, "must be `name` or `name@version`")
      .optional()
      .openapi({ example: "smollm2-135m-instruct-t2l" }),
    visibility: z
      .enum(["private", "public"])
      .default("private")
      .openapi({ description: "`public` lets other tenants asking for the same adapter reuse these weights instead of generating." }),
  })
  .strict()
  .openapi("CreateAdapterRequest");
export type CreateAdapterRequest = z.infer<typeof CreateAdapterRequest>;

export const CreateAdapterResponse = AdapterSchema.extend({
  cached: z.boolean().openapi({ description: "True when no generation ran for this request (an existing adapter was returned)." }),
}).openapi("CreatedAdapter");
export type CreateAdapterResponse = z.infer<typeof CreateAdapterResponse>;

const IdempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "must be 1..255 visible ASCII characters")
    .optional()
    .openapi({ description: "Retries with the same key and body replay the first answer and are metered once." }),
});

export const createAdapterRoute = createRoute({
  method: "post",
  path: "/v1/adapters",
  tags: ["adapters"],
  summary: "Get the adapter for a description: from the cache, or generated once by the gpu-worker",
  security: bearerSecurity,
  middleware: [requireScope("adapters:write", { overlapRateLimit: true })] as const,
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { "application/json": { schema: CreateAdapterRequest } } },
  },
  responses: {
    200: { description: "An existing adapter (cache hit)", content: { "application/json": { schema: CreateAdapterResponse } } },
    201: { description: "Generated now", content: { "application/json": { schema: CreateAdapterResponse } } },
    ...problemResponses(400, 404, 409, 413, 415, 422, 502, ...AUTHENTICATED_ERRORS),
  },
});

interface Outcome {
  row: AdapterRow;
  generated: boolean;
  generationMs: number;
}

/** The miss path: quota, then one generation per identity however many ask at once. */
async function generate(c: Context<AppEnv>, identity: Identity, description: string, visibility: "private" | "public"): Promise<Outcome> {
  const { adapters, usage } = c.get("services");
  const principal = c.get("principal");
  const used = await usage.generationsThisMonth(principal.tenantId);
  if (used >= principal.limits.monthlyGenerations) {
    throw new ApiError("quota_exceeded", `The ${principal.limits.plan} plan includes ${principal.limits.monthlyGenerations} generations a month, all used. Cached adapters are still served.`);
  }
  const flights = c.env.GENERATION_FLIGHTS;
  const flight = flights.get(flights.idFromName(`${identity.tenantId}|${identity.bundleRef}|${identity.descriptionSha256}`));
  let outcome: Awaited<ReturnType<typeof flight.generate>>;
  try {
    outcome = await flight.generate({ identity, keyId: principal.keyId, description, visibility, requestId: c.get("requestId") });
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "generation flight unreachable", requestId: c.get("requestId"), error: String(error) }));
    throw new ApiError("gpu_worker_unavailable", "Adapter generation is temporarily unavailable; nothing was stored. Retry shortly.", { headers: { "Retry-After": "5" } });
  }
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.detail, { headers: outcome.headers });
  const row = await adapters.get(identity.tenantId, outcome.adapterId);
  if (!row) throw new ApiError("internal", `Adapter ${outcome.adapterId} vanished right after generation.`);
  return { row, generated: outcome.generated, generationMs: outcome.generationMs };
}

export function registerCreateAdapter(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createAdapterRoute, async (c) => {
    const body = c.req.valid("json");
    const { "idempotency-key": idempotencyKey } = c.req.valid("header");
    const principal = c.get("principal");
    const services = c.get("services");

    const description = normalizeDescription(body.description);
    const length = codePointLength(description);
    if (length < 1 || length > MAX_NORMALIZED_CHARS) {
      throw new ApiError("invalid_description", `The normalised description must be 1..${MAX_NORMALIZED_CHARS} characters; it is ${length}.`);
    }
    const timing = c.get("timing");
    const [bundle, sha] = await timing.measure("bundle", () => Promise.all([services.bundles.resolve(body.bundle), descriptionSha256(description)]));
    const identity: Identity = { tenantId: principal.tenantId, bundleRef: bundle.ref, descriptionSha256: sha };

    // The lookup only reads, so it runs while the rate limiter decides (the route opts in with
    // overlapRateLimit); nothing below this line happens unless the limiter admitted the request.
    const [hit] = await Promise.all([timing.measure("lookup", () => services.adapters.findReady(identity)), c.get("admission")]);

    if (idempotencyKey !== undefined) {
      const requestSha = await sha256Hex(JSON.stringify([identity.bundleRef, identity.descriptionSha256, body.visibility]));
      const start = await services.idempotency.begin(principal.tenantId, idempotencyKey, requestSha);
      if (start.kind === "replay") {
        c.header("Idempotent-Replayed", "true");
        return c.json(JSON.parse(start.body) as CreateAdapterResponse, start.status === 201 ? 201 : 200);
      }
    }

    let outcome: Outcome;
    try {
      outcome = hit ? { row: hit, generated: false, generationMs: 0 } : await generate(c, identity, description, body.visibility);
    } catch (error) {
      if (idempotencyKey !== undefined) await services.idempotency.abandon(principal.tenantId, idempotencyKey);
      throw error;
    }

    const { row, generated } = outcome;
    services.usage.record({
      eventId: idempotencyKey !== undefined ? `idem:${idempotencyKey}` : c.get("requestId"),
      tenantId: principal.tenantId,
      keyId: principal.keyId,
      kind: generated ? "generation" : "cache_hit",
      adapterId: row.id,
      bundleRef: row.bundle_ref,
      bytes: row.bytes ?? 0,
      gpuMs: generated ? outcome.generationMs : 0,
      at: Date.now(),
    });
    const view = await timing.measure("sign", () => toAdapter(services, row, new URL(c.req.url).origin, principal.keyId));
    const response: CreateAdapterResponse = { ...view, cached: !generated };
    const status = generated ? 201 : 200;
    if (idempotencyKey !== undefined) await services.idempotency.completeStatement(principal.tenantId, idempotencyKey, status, JSON.stringify(response)).run();
    if (generated) c.header("Location", `/v1/adapters/${row.id}`);
    return c.json(response, status);
  });
}
