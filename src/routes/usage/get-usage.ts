import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { requireScope } from "../../middleware/authenticate";
import { AUTHENTICATED_ERRORS, bearerSecurity, problemResponses, TimestampSchema } from "../../schemas/common";
import { monthStart } from "../../services/usage-meter";

const MAX_BUCKETS = 24 * 92;
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export const UsageQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Start (inclusive); default: 24 buckets before `to`." }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: "End (exclusive); default: now." }),
    granularity: z.enum(["hour", "day"]).default("hour"),
  })
  .transform((query, ctx) => {
    const to = query.to ? Date.parse(query.to) : Date.now();
    const from = query.from ? Date.parse(query.from) : to - 24 * BUCKET_MS[query.granularity];
    if (from >= to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be before `to`" });
    if ((to - from) / BUCKET_MS[query.granularity] > MAX_BUCKETS) {
      ctx.addIssue({ code: "custom", path: ["from"], message: `the range is limited to ${MAX_BUCKETS} buckets; use a coarser granularity or a shorter range` });
    }
    return { from, to, granularity: query.granularity };
  });

const BucketSchema = z.object({
  start: TimestampSchema,
  generations: z.number().int(),
  cache_hits: z.number().int(),
  downloads: z.number().int(),
  bytes_generated: z.number().int(),
  bytes_downloaded: z.number().int(),
  gpu_ms: z.number().int(),
});

export const UsageResponse = z
  .object({
    tenant_id: z.string(),
    granularity: z.enum(["hour", "day"]),
    from: TimestampSchema,
    to: TimestampSchema,
    series: z.array(BucketSchema),
    totals: BucketSchema.omit({ start: true }),
    quota: z.object({
      plan: z.string(),
      monthly_generations: z.number().int(),
      used_this_month: z.number().int(),
      resets_at: TimestampSchema,
    }),
  })
  .openapi("Usage");
export type UsageResponse = z.infer<typeof UsageResponse>;

export const getUsageRoute = createRoute({
  method: "get",
  path: "/v1/usage",
  tags: ["usage"],
  summary: "Usage time series (generations, cache hits, downloads, bytes, GPU time) and quota",
  security: bearerSecurity,
  middleware: [requireScope("usage:read")] as const,
  request: { query: UsageQuery },
  responses: {
    200: { description: "Gap-free series, UTC buckets", content: { "application/json": { schema: UsageResponse } } },
    ...problemResponses(400, ...AUTHENTICATED_ERRORS),
  },
});

export function registerGetUsage(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getUsageRoute, async (c) => {
    const { from, to, granularity } = c.req.valid("query");
    const principal = c.get("principal");
    const { usage } = c.get("services");
    const [series, used] = await Promise.all([usage.series(principal.tenantId, from, to, granularity), usage.generationsThisMonth(principal.tenantId)]);
    const totals = { generations: 0, cache_hits: 0, downloads: 0, bytes_generated: 0, bytes_downloaded: 0, gpu_ms: 0 };
    for (const bucket of series) {
      for (const name of Object.keys(totals) as (keyof typeof totals)[]) totals[name] += bucket[name];
    }
    const start = new Date(monthStart(Date.now()));
    const resetsAt = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    c.header("Cache-Control", "private, no-store");
    return c.json(
      {
        tenant_id: principal.tenantId,
        granularity,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        series,
        totals,
        quota: { plan: principal.limits.plan, monthly_generations: principal.limits.monthlyGenerations, used_this_month: used, resets_at: resetsAt.toISOString() },
      },
      200,
    );
  });
}
