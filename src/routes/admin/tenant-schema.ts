import { z } from "@hono/zod-openapi";
import { PLANS } from "../../services/tenant-store";
import { TimestampSchema } from "../../schemas/common";

export const TenantSchema = z
  .object({
    id: z.string().openapi({ example: "ten_01jf3k5v8q0000000000000000" }),
    name: z.string(),
    plan: z.enum(PLANS),
    status: z.enum(["active", "suspended"]),
    created_at: TimestampSchema,
  })
  .openapi("Tenant");
