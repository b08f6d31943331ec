/** Contract 1: the bundle manifest (`t2l.bundle/v1`) as the worker reads it. */
import { z } from "zod";

import { NORMALIZATION_RULE } from "../normalize.js";

export const BUNDLE_SCHEMA = "t2l.bundle/v1";

/** Files the worker itself opens; every other listed file is still hash-checked. */
export const REQUIRED_FILES = ["tokenizer.json", "encoder.onnx", "hypernet.onnx"] as const;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex sha256");
// Plain names only: a manifest must not reach outside its own directory.
const bundleFileName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, "must be a plain file name");

const loraModule = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  path: z.string().regex(/^[A-Za-z0-9_.]*\{layer\}[A-Za-z0-9_.]*$/, "must contain {layer}"),
  in_features: z.number().int().positive(),
  out_features: z.number().int().positive(),
  /** GPT-2 style Conv1D weights stored (in, out); PEFT must be told. */
  fan_in_fan_out: z.boolean().default(false),
});

export const Manifest = z
  .object({
    schema: z.literal(BUNDLE_SCHEMA),
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/),
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/),
    created_at: z.string().min(1),
    base_model: z
      .object({
        hf_id: z.string().min(1),
        revision: z.string().nullable().optional(),
        num_layers: z.number().int().positive(),
      })
      .loose(),
    lora: z
      .object({
        r: z.number().int().positive(),
        lora_alpha: z.number().positive(),
        use_rslora: z.boolean(),
        modules: z.array(loraModule).min(1),
      })
      .loose(),
    encoder: z
      .object({ name: z.string().min(1), dim: z.number().int().positive(), max_length: z.number().int().min(2) })
      .loose(),
    hypernet: z.object({ variant: z.enum(["L", "M", "S"]), params: z.number().int().nonnegative() }).loose(),
    normalization: z.literal(NORMALIZATION_RULE),
    files: z.record(bundleFileName, sha256Hex),
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export type Manifest = z.infer<typeof Manifest>;
export type LoraModule = z.infer<typeof loraModule>;

export function bundleId(manifest: Pick<Manifest, "name" | "version">): string {
  return `${manifest.name}@${manifest.version}`;
}
