import { z } from "zod";
import { ApiError } from "../errors/api-error";
import type { GpuWorkerClient } from "./gpu-worker-client";

// Bundle manifests change only when the worker fleet loads a new bundle.
const BUNDLES_CACHE_KEY = "bundles:v1";
const BUNDLES_CACHE_TTL_SECONDS = 300;
// And per isolate, to keep even the KV read off the hot path.
const BUNDLES_MEMO_MS = 30_000;
let memo: { until: number; bundles: BundleInfo[] } | null = null;

/** The part of a Contract 1 manifest the edge relies on; the rest is kept verbatim. */
const ManifestSchema = z
  .object({
    schema: z.literal("t2l.bundle/v1"),
    name: z.string().min(1),
    version: z.string().min(1),
    base_model: z.object({ hf_id: z.string().min(1), revision: z.string().nullable().optional() }).loose(),
    lora: z
      .object({
        r: z.number().int().positive(),
        lora_alpha: z.number().positive(),
        use_rslora: z.boolean(),
        modules: z.array(z.object({ name: z.string().min(1), fan_in_fan_out: z.boolean().optional() }).loose()).min(1),
      })
      .loose(),
    normalization: z.literal("nfc-trim-collapse/v1"),
  })
  .loose();
type Manifest = z.infer<typeof ManifestSchema>;

const BundlesResponseSchema = z.object({
  bundles: z.array(z.object({ default: z.boolean().optional(), manifest: ManifestSchema }).loose()),
});

export interface BundleInfo {
  ref: string;
  name: string;
  version: string;
  isDefault: boolean;
  /** Contract 2 adapter_config.json, exactly the bytes every adapter of this bundle serves. */
  adapterConfig: string;
}

/**
 * Contract 2's adapter_config.json, derived from the manifest by the edge: the same fields
 * as the trainer's `t2l.peft_io` and the gpu-worker (a parity test holds them together).
 */
export function adapterConfigFor(manifest: Manifest): string {
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: manifest.base_model.hf_id,
    revision: manifest.base_model.revision ?? null,
    r: manifest.lora.r,
    lora_alpha: manifest.lora.lora_alpha,
    use_rslora: manifest.lora.use_rslora,
    target_modules: manifest.lora.modules.map((module) => module.name).sort(),
    lora_dropout: 0,
    bias: "none",
    fan_in_fan_out: manifest.lora.modules.some((module) => module.fan_in_fan_out === true),
    use_dora: false,
    inference_mode: true,
    modules_to_save: null,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function toInfo(manifest: Manifest, isDefault: boolean): BundleInfo {
  return { ref: `${manifest.name}@${manifest.version}`, name: manifest.name, version: manifest.version, isDefault, adapterConfig: adapterConfigFor(manifest) };
}

/**
 * Which bundles exist, from (in order) KV, the gpu-worker, and the last copy in D1. The D1
 * copy means a cache hit is answered even while every gpu-worker is down.
 */
export class BundleCatalog {
  constructor(
    private readonly db: D1Database,
    private readonly cache: KVNamespace,
    private readonly gpuWorker: GpuWorkerClient,
    private readonly defaultName: string,
  ) {}

  /** `spec` is `name`, `name@version`, or undefined for the default bundle. */
  async resolve(spec: string | undefined): Promise<BundleInfo> {
    const name = spec?.split("@")[0] ?? this.defaultName;
    const version = spec?.includes("@") ? spec.slice(spec.indexOf("@") + 1) : undefined;
    const bundles = await this.all();
    const candidates = bundles.filter((bundle) => bundle.name === name && (version === undefined || bundle.version === version));
    // Without a version: the one the worker marks default, else the newest seen.
    const chosen = candidates.find((bundle) => bundle.isDefault) ?? candidates.at(-1);
    if (!chosen) {
      throw new ApiError("unknown_bundle", `No bundle ${spec ?? name}. Available: ${bundles.map((b) => b.ref).join(", ") || "none"}.`);
    }
    return chosen;
  }

  async byRef(ref: string): Promise<BundleInfo | null> {
    const row = await this.db.prepare(`SELECT ref, name, version, adapter_config FROM bundles WHERE ref = ?1`).bind(ref).first<{ ref: string; name: string; version: string; adapter_config: string }>();
    return row ? { ref: row.ref, name: row.name, version: row.version, isDefault: false, adapterConfig: row.adapter_config } : null;
  }

  private async all(): Promise<BundleInfo[]> {
    if (memo && memo.until > Date.now()) return memo.bundles;
    const bundles = await this.load();
    memo = { until: Date.now() + BUNDLES_MEMO_MS, bundles };
    return bundles;
  }

  private async load(): Promise<BundleInfo[]> {
    const cached = await this.cache.get<BundleInfo[]>(BUNDLES_CACHE_KEY, "json");
    if (cached) return cached;
    let fresh: { info: BundleInfo; manifest: Manifest }[];
    try {
      const parsed = BundlesResponseSchema.safeParse(await this.gpuWorker.listBundles());
      if (!parsed.success) throw new ApiError("gpu_worker_error", `The gpu-worker's /v1/bundles answer is malformed: ${parsed.error.message}`);
      fresh = parsed.data.bundles.map((bundle) => ({ info: toInfo(bundle.manifest, bundle.default ?? false), manifest: bundle.manifest }));
    } catch (error) {
      const stored = await this.stored();
      if (stored.length > 0) return stored;
      throw error;
    }
    return this.persist(fresh);
  }

  private async stored(): Promise<BundleInfo[]> {
    const rows = await this.db.prepare(`SELECT ref, name, version, adapter_config FROM bundles ORDER BY seen_at`).all<{ ref: string; name: string; version: string; adapter_config: string }>();
    return rows.results.map((row) => ({ ref: row.ref, name: row.name, version: row.version, isDefault: false, adapterConfig: row.adapter_config }));
  }

  private async persist(fresh: { info: BundleInfo; manifest: Manifest }[]): Promise<BundleInfo[]> {
    const now = Date.now();
    // name@version is immutable: the first adapter_config seen for it is the one served forever.
    const inserts = fresh.map(({ info, manifest }) =>
      this.db
        .prepare(
          `INSERT INTO bundles (ref, name, version, manifest, adapter_config, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
           ON CONFLICT (ref) DO UPDATE SET seen_at = excluded.seen_at`,
        )
        .bind(info.ref, info.name, info.version, JSON.stringify(manifest), info.adapterConfig, now),
    );
    if (inserts.length > 0) await this.db.batch(inserts);
    const storedConfig = new Map((await this.stored()).map((bundle) => [bundle.ref, bundle.adapterConfig]));
    const merged = fresh.map(({ info }) => ({ ...info, adapterConfig: storedConfig.get(info.ref) ?? info.adapterConfig }));
    await this.cache.put(BUNDLES_CACHE_KEY, JSON.stringify(merged), { expirationTtl: BUNDLES_CACHE_TTL_SECONDS });
    return merged;
  }
}
