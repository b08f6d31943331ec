import { z } from "@hono/zod-openapi";
import { SCOPES } from "../../lib/scopes";
import { TimestampSchema } from "../../schemas/common";

export const KeySchema = z
  .object({
    id: z.string().openapi({ example: "key_01jf3k5v8q0000000000000000" }),
    name: z.string(),
    prefix: z.string().openapi({ description: "The key's first characters, to recognise it.", example: "t2l_sk_Ab3dEf" }),
    scopes: z.array(z.enum(SCOPES)),
    created_at: TimestampSchema,
    expires_at: TimestampSchema.nullable(),
    revoked_at: TimestampSchema.nullable(),
    last_used_at: TimestampSchema.nullable().openapi({ description: "When the key was last seen, to about a minute." }),
  })
  .openapi("ApiKey");

export const CreatedKeySchema = KeySchema.extend({
  key: z.string().openapi({ description: "The secret. Shown once: store it now.", example: "t2l_sk_…" }),
}).openapi("CreatedApiKey");

export const CreateKeyRequest = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "production backend" }),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length)
      .refine((scopes) => new Set(scopes).size === scopes.length, "scopes must not repeat"),
    expires_at: z.iso
      .datetime()
      .optional()
      .refine((value) => value === undefined || Date.parse(value) > Date.now(), "expires_at must be in the future"),
  })
  .strict()
  .openapi("CreateKeyRequest");
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;
export type CreatedKey = z.infer<typeof CreatedKeySchema>;
