/** Starts a real worker on an ephemeral port over the fixture bundles, and signs requests. */
import { loadConfig, type WorkerConfig } from "../../src/config.js";
import { signRequest } from "../../src/http/signing.js";
import { type StartedWorker, startWorker } from "../../src/worker.js";
import { BUNDLES_DIR } from "./paths.js";

export const SECRET = "test-secret-0123456789abcdef";

export function testConfig(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return {
    ...loadConfig({ BUNDLES_DIR, GPU_WORKER_SECRET: SECRET, PORT: "0", ORT_INTRA_OP_THREADS: "1" }),
    ...overrides,
  };
}

export function startTestWorker(overrides: Partial<WorkerConfig> = {}): Promise<StartedWorker> {
  return startWorker(testConfig(overrides));
}

export interface CallOptions {
  method?: "GET" | "POST";
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  sign?: boolean;
  secret?: string;
  timestamp?: number;
}

export async function call(worker: StartedWorker, path: string, options: CallOptions = {}): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? "GET" : "POST");
  const body = typeof options.body === "string" ? new TextEncoder().encode(options.body) : (options.body ?? new Uint8Array());
  const signed = options.sign === false ? {} : signRequest(options.secret ?? SECRET, method, path, body, options.timestamp);
  const contentType: Record<string, string> = method === "POST" ? { "content-type": "application/json" } : {};
  return fetch(`${worker.url}${path}`, {
    method,
    headers: { ...contentType, ...signed, ...options.headers },
    body: method === "POST" ? body : undefined,
  });
}

export async function generate(worker: StartedWorker, request: Record<string, unknown>): Promise<Response> {
  return call(worker, "/v1/generate", { body: JSON.stringify(request) });
}
