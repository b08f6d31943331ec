import { z } from "@hono/zod-openapi";
import { ERROR_CODES, type ErrorCode } from "../errors/codes";
import { idPattern } from "../lib/ids";
import { PROBLEM_CONTENT_TYPE } from "../errors/problem";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    detail: z.string(),
    request_id: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** OpenAPI response entries for the error statuses a route can return. */
export function problemResponses<const S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: Object.values(ERROR_CODES)
          .filter((entry) => entry.status === status)
          .map((entry) => entry.title)
          .join("; "),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      },
    ]),
  ) as Record<S, { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }>;
}

/** Statuses every tenant-authenticated route can return. */
export const AUTHENTICATED_ERRORS = [401, 403, 429, 500, 503] as const;

export function prefixedId(prefix: string, example: string) {
  return z.string().regex(idPattern(prefix), `must be an id starting with ${prefix}_`).openapi({ example });
}

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Page size, 1..100." }),
  after: z.string().max(64).optional().openapi({ description: "Return items with ids after this one (the previous page's `next_after`)." }),
});

export const TimestampSchema = z.iso.datetime().openapi({ example: "2026-11-28T12:00:00.000Z" });

export const bearerSecurity = [{ ApiKey: [] }];
