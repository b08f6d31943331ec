/** Worker settings from the environment (docs/CONVENTIONS.md names), validated once at start. */
import { z } from "zod";

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const EnvSchema = z.object({
  PORT: int(0, 65535, 8788),
  HOST: z.string().min(1).default("127.0.0.1"),
  BUNDLES_DIR: z.string({ error: "BUNDLES_DIR is required: the directory holding bundle folders" }).min(1),
  GPU_WORKER_SECRET: z
    .string({ error: "GPU_WORKER_SECRET is required: the HMAC secret shared with the edge" })
    .min(16, "GPU_WORKER_SECRET must be at least 16 characters"),
  DEFAULT_BUNDLE: z.string().min(1).optional(),
  MAX_BATCH_SIZE: int(1, 1024, 16),
  MAX_BATCH_WAIT_MS: int(0, 1000, 0),
  MAX_QUEUE: int(1, 100_000, 256),
  MAX_BODY_BYTES: int(256, 10_000_000, 65_536),
  ORT_EXECUTION_PROVIDERS: z.enum(["auto", "cpu", "cuda"]).default("auto"),
  ORT_INTRA_OP_THREADS: int(0, 256, 0),
  ORT_ALLOW_SPINNING: z.enum(["0", "1"]).default("0"),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000, 30_000),
});

export interface WorkerConfig {
  port: number;
  host: string;
  bundlesDir: string;
  secret: string;
  defaultBundle: string | undefined;
  maxBatchSize: number;
  maxBatchWaitMs: number;
  maxQueue: number;
  maxBodyBytes: number;
  providers: "auto" | "cpu" | "cuda";
  intraOpThreads: number;
  allowSpinning: boolean;
  shutdownTimeoutMs: number;
}

export function loadConfig(env: Record<string, string | undefined>): WorkerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid gpu-worker configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    bundlesDir: e.BUNDLES_DIR,
    secret: e.GPU_WORKER_SECRET,
    defaultBundle: e.DEFAULT_BUNDLE,
    maxBatchSize: e.MAX_BATCH_SIZE,
    maxBatchWaitMs: e.MAX_BATCH_WAIT_MS,
    maxQueue: e.MAX_QUEUE,
    maxBodyBytes: e.MAX_BODY_BYTES,
    providers: e.ORT_EXECUTION_PROVIDERS,
    intraOpThreads: e.ORT_INTRA_OP_THREADS,
    allowSpinning: e.ORT_ALLOW_SPINNING === "1",
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
