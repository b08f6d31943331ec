import { z } from "zod";
import type { GenerationFlight } from "./durable-objects/generation-flight";
import type { RateLimiter } from "./durable-objects/rate-limiter";
import type { UsageEvent } from "./services/usage-meter";

/** Bindings and secrets as wrangler hands them to the Worker (wrangler.toml, .dev.vars). */
export interface Env {
  DB: D1Database;
  CACHE: KVNamespace;
  USAGE_EVENTS: Queue<UsageEvent>;
  BLOBS: R2Bucket;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  GENERATION_FLIGHTS: DurableObjectNamespace<GenerationFlight>;
  OPERATOR_KEY: string;
  GPU_WORKER_URL: string;
  GPU_WORKER_SECRET: string;
  URL_SIGNING_SECRET: string;
  DEFAULT_BUNDLE: string;
  GPU_WORKER_TIMEOUT_MS: string;
  GPU_WORKER_MAX_ATTEMPTS: string;
  CDN_URL_TTL_SECONDS: string;
}

const binding = (name: string, method: string) =>
  z.custom<unknown>((value) => typeof value === "object" && value !== null && method in value, {
    error: `binding ${name} is missing or is not the right kind (needs .${method})`,
  });
const secret = z.string({ error: "secret is missing" }).min(32, "secret must be at least 32 characters");
const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  DB: binding("DB", "prepare"),
  CACHE: binding("CACHE", "getWithMetadata"),
  USAGE_EVENTS: binding("USAGE_EVENTS", "sendBatch"),
  BLOBS: binding("BLOBS", "createMultipartUpload"),
  RATE_LIMITER: binding("RATE_LIMITER", "idFromName"),
  GENERATION_FLIGHTS: binding("GENERATION_FLIGHTS", "idFromName"),
  OPERATOR_KEY: secret,
  GPU_WORKER_SECRET: secret,
  URL_SIGNING_SECRET: secret,
  GPU_WORKER_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  DEFAULT_BUNDLE: z.string().min(1),
  GPU_WORKER_TIMEOUT_MS: positiveInt(100, 600_000),
  GPU_WORKER_MAX_ATTEMPTS: positiveInt(1, 10),
  CDN_URL_TTL_SECONDS: positiveInt(60, 7 * 24 * 3600),
});

/** The validated, typed settings the services use (numbers parsed once). */
export interface Settings {
  gpuWorkerUrl: string;
  gpuWorkerTimeoutMs: number;
  gpuWorkerMaxAttempts: number;
  cdnUrlTtlSeconds: number;
  defaultBundle: string;
}

export type EnvCheck = { ok: true; settings: Settings } | { ok: false; problems: string[] };

// Workers hand the same env object to every request of an isolate, so validate it once.
const checked = new WeakMap<object, EnvCheck>();

export function checkEnv(env: Env): EnvCheck {
  const cached = checked.get(env);
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(env);
  const result: EnvCheck = parsed.success
    ? {
        ok: true,
        settings: {
          gpuWorkerUrl: parsed.data.GPU_WORKER_URL.replace(/\/+$/, ""),
          gpuWorkerTimeoutMs: parsed.data.GPU_WORKER_TIMEOUT_MS,
          gpuWorkerMaxAttempts: parsed.data.GPU_WORKER_MAX_ATTEMPTS,
          cdnUrlTtlSeconds: parsed.data.CDN_URL_TTL_SECONDS,
          defaultBundle: parsed.data.DEFAULT_BUNDLE,
        },
      }
    : { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) };
  checked.set(env, result);
  return result;
}
