import { z } from "@hono/zod-openapi";
import { TimestampSchema } from "../../schemas/common";
import { ADAPTER_FILES } from "../../services/adapter-files";
import type { AdapterRow } from "../../services/adapter-store";
import type { Services } from "../../services/services";

export const AdapterSchema = z
  .object({
    id: z.string().openapi({ example: "ad_01jf3k5v8q0000000000000000" }),
    object: z.literal("adapter"),
    status: z.enum(["pending", "ready"]),
    bundle: z.string().openapi({ example: "smollm2-135m-instruct-t2l@0.1.0" }),
    description: z.string().openapi({ description: "The normalised description the adapter was generated from." }),
    description_sha256: z.string(),
    visibility: z.enum(["private", "public"]),
    sha256: z.string().nullable().openapi({ description: "sha256 of adapter_model.safetensors (its ETag)." }),
    bytes: z.number().int().nullable(),
    generation_ms: z.number().int().nullable(),
    created_at: TimestampSchema,
    files: z
      .partialRecord(z.enum(ADAPTER_FILES), z.url())
      .openapi({ description: "Signed, expiring, immutable download URLs (no API key needed); empty until ready." }),
    files_expire_at: TimestampSchema.nullable(),
  })
  .openapi("Adapter");
export type Adapter = z.infer<typeof AdapterSchema>;

/** The public view of an adapter row; ready adapters get freshly signed file URLs for the calling key. */
export async function toAdapter(services: Services, row: AdapterRow, origin: string, keyId: string): Promise<Adapter> {
  const files: Partial<Record<(typeof ADAPTER_FILES)[number], string>> = {};
  let expires: number | null = null;
  if (row.status === "ready") {
    for (const file of ADAPTER_FILES) {
      const signed = await services.signer.sign(origin, { adapterId: row.id, file, keyId });
      files[file] = signed.url;
      expires = signed.expires;
    }
  }
  return {
    id: row.id,
    object: "adapter",
    status: row.status,
    bundle: row.bundle_ref,
    description: row.description,
    description_sha256: row.description_sha256,
    visibility: row.visibility,
    sha256: row.blob_sha256,
    bytes: row.bytes,
    generation_ms: row.generation_ms,
    created_at: new Date(row.created_at).toISOString(),
    files,
    files_expire_at: expires === null ? null : new Date(expires * 1000).toISOString(),
  };
}
