import type { Env, Settings } from "../env";
import { AdapterStore } from "./adapter-store";
import { BlobStore } from "./blob-store";
import { BundleCatalog } from "./bundle-catalog";
import { GpuWorkerClient } from "./gpu-worker-client";
import { IdempotencyStore } from "./idempotency-store";
import { KeyStore } from "./key-store";
import { TenantStore } from "./tenant-store";
import { UrlSigner } from "./url-signer";
import { UsageMeter } from "./usage-meter";

/** Where work that must not delay the response goes (the request's ExecutionContext). */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}

/** Everything a handler talks to, built once per request from the bindings and passed in via context. */
export interface Services {
  keys: KeyStore;
  tenants: TenantStore;
  adapters: AdapterStore;
  blobs: BlobStore;
  bundles: BundleCatalog;
  idempotency: IdempotencyStore;
  usage: UsageMeter;
  signer: UrlSigner;
  background: Background;
}

export function createServices(env: Env, settings: Settings, background: Background): Services {
  const gpuWorker = new GpuWorkerClient({
    baseUrl: settings.gpuWorkerUrl,
    secret: env.GPU_WORKER_SECRET,
    timeoutMs: settings.gpuWorkerTimeoutMs,
    maxAttempts: settings.gpuWorkerMaxAttempts,
  });
  return {
    keys: new KeyStore(env.DB, env.CACHE, background),
    tenants: new TenantStore(env.DB),
    adapters: new AdapterStore(env.DB, env.CACHE),
    blobs: new BlobStore(env.BLOBS),
    bundles: new BundleCatalog(env.DB, env.CACHE, gpuWorker, settings.defaultBundle),
    idempotency: new IdempotencyStore(env.DB),
    usage: new UsageMeter(env.DB, env.USAGE_EVENTS, background),
    signer: new UrlSigner(env.URL_SIGNING_SECRET, settings.cdnUrlTtlSeconds),
    background,
  };
}
