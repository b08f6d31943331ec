import { ApiError } from "../errors/api-error";
import { hmacSha256Hex, sha256Hex } from "../lib/crypto";

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_RETRY_AFTER_MS = 2_000;
/** The adapter sizes we accept from a worker; anything else is a broken or hostile upstream. */
export const MAX_ADAPTER_BYTES = 2 * 1024 ** 3;

export interface GpuWorkerSettings {
  baseUrl: string;
  secret: string;
  timeoutMs: number;
  maxAttempts: number;
}

/** A 200 from /v1/generate whose headers checked out; the body has not been read yet. */
export interface GeneratedStream {
  body: ReadableStream<Uint8Array>;
  bytes: number;
  sha256: string;
  bundle: string;
  /** The worker's hash of the description it normalised (null if it did not say). */
  descriptionSha256: string | null;
  generationMs: number;
}

/** Contract 3 request signature: hex HMAC-SHA256(secret, ts \n METHOD \n path \n hex sha256(body)). */
export async function signGpuWorkerRequest(secret: string, method: string, path: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)) {
  const timestamp = String(nowSeconds);
  const signature = await hmacSha256Hex(secret, `${timestamp}\n${method}\n${path}\n${await sha256Hex(body)}`);
  return { "X-T2L-Timestamp": timestamp, "X-T2L-Signature": signature };
}

class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * Client for the gpu-worker: signs every request, bounds each attempt with a timeout, and
 * retries (a bounded number of times, honouring a short Retry-After) only failures that
 * happen before a response body is handed back: network errors, timeouts, 502/503/504.
 */
export class GpuWorkerClient {
  constructor(private readonly settings: GpuWorkerSettings) {}

  async listBundles(): Promise<unknown> {
    const response = await this.send("GET", "/v1/bundles", "");
    return response.json();
  }

  async generate(description: string, bundle: string): Promise<GeneratedStream> {
    const response = await this.send("POST", "/v1/generate", JSON.stringify({ description, bundle }));
    const bytes = Number(response.headers.get("Content-Length"));
    const sha256 = response.headers.get("X-Adapter-Sha256")?.toLowerCase() ?? "";
    const body = response.body as ReadableStream<Uint8Array> | null;
    if (!body || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes > MAX_ADAPTER_BYTES || !SHA256_HEX.test(sha256)) {
      await body?.cancel();
      throw new ApiError("gpu_worker_error", "The gpu-worker answered without a valid Content-Length and X-Adapter-Sha256.");
    }
    return {
      body,
      bytes,
      sha256,
      bundle: response.headers.get("X-Bundle") ?? bundle,
      descriptionSha256: response.headers.get("X-Description-Sha256")?.toLowerCase() ?? null,
      generationMs: Math.round(Number(response.headers.get("X-Generation-Ms")) || 0),
    };
  }

  private async send(method: string, path: string, body: string): Promise<Response> {
    let lastError = "no attempt made";
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
      try {
        return await this.attempt(method, path, body);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        lastError = error.message;
        if (attempt < this.settings.maxAttempts) {
          const backoff = Math.min(MAX_RETRY_AFTER_MS, Math.max(error.retryAfterMs, 50 * 2 ** attempt));
          await new Promise((resolve) => setTimeout(resolve, backoff));
        }
      }
    }
    throw new ApiError("gpu_worker_unavailable", `The gpu-worker is unavailable after ${this.settings.maxAttempts} attempts (${lastError}). Retry later.`, {
      headers: { "Retry-After": "5" },
    });
  }

  private async attempt(method: string, path: string, body: string): Promise<Response> {
    const headers: Record<string, string> = await signGpuWorkerRequest(this.settings.secret, method, path, body);
    if (method === "POST") headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.settings.baseUrl}${path}`, {
        method,
        headers,
        body: method === "POST" ? body : undefined,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new RetryableFailure(timedOut ? `timed out after ${this.settings.timeoutMs} ms` : `unreachable: ${String(error)}`, 0);
    }
    if (response.ok) return response;
    const detail = await upstreamDetail(response);
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      const retryAfterSeconds = Number(response.headers.get("Retry-After"));
      throw new RetryableFailure(`HTTP ${response.status}: ${detail}`, Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : 0);
    }
    if (response.status === 404) throw new ApiError("unknown_bundle", `The gpu-worker does not serve this bundle (${detail}).`);
    // 401 means our signature was refused: a deployment problem, not the caller's.
    throw new ApiError("gpu_worker_error", `The gpu-worker refused the request: HTTP ${response.status} (${detail}).`);
  }
}

async function upstreamDetail(response: Response): Promise<string> {
  const text = (await response.text()).slice(0, 500);
  try {
    const problem = JSON.parse(text) as { code?: unknown; detail?: unknown };
    return [problem.code, problem.detail].filter((part) => typeof part === "string").join(": ") || text;
  } catch {
    return text || response.statusText;
  }
}
