import { DurableObject } from "cloudflare:workers";
import { checkEnv, type Env } from "../env";
import { ApiError } from "../errors/api-error";
import type { ErrorCode } from "../errors/codes";
import { AdapterStore, type Identity, type Visibility } from "../services/adapter-store";
import { auditStatement } from "../services/audit";
import { BlobStore, blobKey } from "../services/blob-store";
import { GpuWorkerClient } from "../services/gpu-worker-client";

export interface FlightRequest {
  identity: Identity;
  keyId: string;
  description: string;
  visibility: Visibility;
  requestId: string;
}

export type FlightOutcome =
  | { ok: true; adapterId: string; generated: boolean; generationMs: number }
  | { ok: false; code: ErrorCode; detail: string; headers: Record<string, string> };

/**
 * Single flight for one adapter identity (tenant, bundle@version, description sha256): the
 * namespace maps each identity to one instance, and the instance keeps the one in-flight
 * generation in memory, so concurrent identical requests await the same promise and the
 * gpu-worker is called once. Chosen over a D1 "pending" row plus polling because waiters
 * wake the moment the work ends (no poll interval on the latency), and a crashed flight
 * leaves no lock to expire: its pending row is recognised as stale by the next flight.
 */
export class GenerationFlight extends DurableObject<Env> {
  private inflight: Promise<FlightOutcome> | null = null;

  async generate(request: FlightRequest): Promise<FlightOutcome & { joined: boolean }> {
    if (this.inflight) {
      const outcome = await this.inflight;
      // A waiter did not cause a generation: to it, a success is a cache hit.
      return outcome.ok ? { ...outcome, generated: false, joined: true } : { ...outcome, joined: true };
    }
    this.inflight = this.run(request).finally(() => {
      this.inflight = null;
    });
    return { ...(await this.inflight), joined: false };
  }

  private async run(request: FlightRequest): Promise<FlightOutcome> {
    try {
      return await this.ensureAdapter(request);
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, code: error.code, detail: error.detail, headers: error.options.headers ?? {} };
      console.error(JSON.stringify({ level: "error", msg: "generation failed", requestId: request.requestId, error: String(error) }));
      return { ok: false, code: "internal", detail: "Generation failed unexpectedly; nothing was stored. Retry the request.", headers: {} };
    }
  }

  private async ensureAdapter(request: FlightRequest): Promise<FlightOutcome> {
    const check = checkEnv(this.env);
    if (!check.ok) throw new ApiError("misconfigured", `The service is missing configuration: ${check.problems.join("; ")}`);
    const adapters = new AdapterStore(this.env.DB, this.env.CACHE);
    const { identity } = request;
    const now = Date.now();

    const live = await adapters.findLive(identity);
    if (live?.status === "ready") return { ok: true, adapterId: live.id, generated: false, generationMs: 0 };
    // Only this instance creates pending rows for this identity, and it has none in flight:
    // a pending row here was left by a flight that died (eviction, deploy). Start over.
    if (live) await adapters.deletePending(live.id);

    const audit = (targetId: string, details: Record<string, unknown>) =>
      auditStatement(this.env.DB, { tenantId: identity.tenantId, actor: request.keyId, action: "adapter.create", targetId, requestId: request.requestId, details, now: Date.now() });

    const pending = adapters.newPending({ identity, keyId: request.keyId, description: request.description, visibility: request.visibility, now });
    const shared = await adapters.findPublic(identity.bundleRef, identity.descriptionSha256);
    if (shared?.blob_sha256 && shared.bytes !== null) {
      // Another tenant published these exact weights: reuse the verified blob, no GPU work.
      const blob = { sha256: shared.blob_sha256, key: blobKey(shared.blob_sha256), bytes: shared.bytes };
      await this.env.DB.batch([pending.insert, ...adapters.markReadyStatements(pending.row.id, blob, 0, now), audit(pending.row.id, { bundle: identity.bundleRef, reused_from: shared.id })]);
      return { ok: true, adapterId: pending.row.id, generated: false, generationMs: 0 };
    }

    await pending.insert.run();
    try {
      const gpuWorker = new GpuWorkerClient({
        baseUrl: check.settings.gpuWorkerUrl,
        secret: this.env.GPU_WORKER_SECRET,
        timeoutMs: check.settings.gpuWorkerTimeoutMs,
        maxAttempts: check.settings.gpuWorkerMaxAttempts,
      });
      const stream = await gpuWorker.generate(request.description, identity.bundleRef);
      if (stream.bundle !== identity.bundleRef) {
        await stream.body.cancel();
        throw new ApiError("gpu_worker_error", `Asked the gpu-worker for ${identity.bundleRef} but it generated with ${stream.bundle}.`);
      }
      // The worker normalises too (same rule); a different hash means the two disagree on identity.
      if (stream.descriptionSha256 !== null && stream.descriptionSha256 !== identity.descriptionSha256) {
        await stream.body.cancel();
        throw new ApiError("gpu_worker_error", "The gpu-worker normalised the description differently from the edge; nothing was stored.");
      }
      const stored = await new BlobStore(this.env.BLOBS).storeVerified(stream.body, stream.bytes, stream.sha256);
      const blob = { sha256: stream.sha256, key: stored.key, bytes: stream.bytes };
      await this.env.DB.batch([
        ...adapters.markReadyStatements(pending.row.id, blob, stream.generationMs, Date.now()),
        audit(pending.row.id, { bundle: identity.bundleRef, sha256: stream.sha256, bytes: stream.bytes }),
      ]);
      return { ok: true, adapterId: pending.row.id, generated: true, generationMs: stream.generationMs };
    } catch (error) {
      await adapters.deletePending(pending.row.id);
      throw error;
    }
  }
}
