/** What a route is: method + path, whether it needs a signature, and a handler over services. */
import type { IncomingHttpHeaders } from "node:http";

import type { Float16Cast } from "../adapter/float16Cast.js";
import type { MicroBatcher } from "../batcher.js";
import type { GeneratedLora } from "../bundle/bundle.js";
import type { BundleRegistry } from "../bundle/registry.js";
import type { WorkerConfig } from "../config.js";
import type { WorkerMetrics } from "../metrics.js";

export interface WorkerServices {
  config: WorkerConfig;
  registry: BundleRegistry;
  batcher: MicroBatcher<string, GeneratedLora>;
  metrics: WorkerMetrics;
  float16: Float16Cast;
  lifecycle: { shuttingDown: boolean };
}

export interface RouteRequest {
  requestId: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Aborted when the client goes away before the answer is ready. */
  signal: AbortSignal;
  receivedAt: number;
}

export interface RouteResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  signed: boolean;
  handle(request: RouteRequest, services: WorkerServices): Promise<RouteResponse>;
}

export function json(status: number, value: unknown): RouteResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) };
}
