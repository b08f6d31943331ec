/**
 * The HTTP server: routing, request ids, body limit, signature check, problem+json errors,
 * metrics, and a graceful shutdown that answers every accepted request before closing.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { readBody } from "./http/body.js";
import { toProblem, WorkerError } from "./http/errors.js";
import type { Route, RouteResponse, WorkerServices } from "./http/route.js";
import { verifyRequest } from "./http/signing.js";
import { bundlesRoute } from "./routes/bundles.js";
import { generateRoute } from "./routes/generate.js";
import { healthRoute } from "./routes/health.js";
import { metricsRoute } from "./routes/metrics.js";

export const ROUTES: readonly Route[] = [generateRoute, bundlesRoute, healthRoute, metricsRoute];

export interface WorkerServer {
  server: Server;
  /** Stops taking requests, finishes the accepted ones, then closes. Idempotent. */
  shutdown(): Promise<void>;
}

export function newRequestId(): string {
  // Time first so ids sort by arrival; 12 base36 digits cover dates far past 2100.
  return `req_${Date.now().toString(36).padStart(12, "0")}${randomBytes(6).toString("hex")}`;
}

export function createWorkerServer(services: WorkerServices): WorkerServer {
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const server = createServer((req, res) => {
    inFlight += 1;
    void handle(req, res, services).finally(() => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 60_000;

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      services.lifecycle.shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const finished = (async () => {
        await services.batcher.drain();
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      })();
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, services.config.shutdownTimeoutMs).unref());
      await Promise.race([finished, timeout]);
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  return { server, shutdown };
}

async function handle(req: IncomingMessage, res: ServerResponse, services: WorkerServices): Promise<void> {
  const receivedAt = performance.now();
  const incomingId = req.headers["x-request-id"];
  const requestId = typeof incomingId === "string" && /^req_[A-Za-z0-9]{1,64}$/.test(incomingId) ? incomingId : newRequestId();
  const path = (req.url ?? "/").split("?")[0]!;
  const candidates = ROUTES.filter((r) => r.path === path);
  const route = candidates.find((r) => r.method === req.method);
  const routeLabel = candidates.length > 0 ? path : "unmatched";
  const aborter = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) aborter.abort(new Error("client closed the connection"));
  });

  let response: RouteResponse;
  try {
    if (!route) {
      if (candidates.length === 0) throw new WorkerError("not_found", `no route ${path}`);
      const allow = candidates.map((r) => r.method).join(", ");
      throw new WorkerError("method_not_allowed", `${path} accepts ${allow}`, { Allow: allow });
    }
    if (services.lifecycle.shuttingDown && route.signed) {
      throw new WorkerError("shutting_down", "this worker is draining; retry on another", { "Retry-After": "1" });
    }
    const body = await readBody(req, services.config.maxBodyBytes);
    if (route.signed) verifyRequest(services.config.secret, req.headers, req.method!, path, body);
    response = await route.handle({ requestId, headers: req.headers, body, signal: aborter.signal, receivedAt }, services);
  } catch (error) {
    // A client that went away needs no answer and is not a server fault worth logging.
    if (aborter.signal.aborted && !(error instanceof WorkerError)) return;
    response = problemResponse(error, requestId);
  }

  const headers: Record<string, string | number> = {
    ...response.headers,
    "x-request-id": requestId,
    "content-length": Buffer.byteLength(response.body),
  };
  // An unread or oversized body, or a draining worker, means this connection must not be reused.
  if (!req.complete || services.lifecycle.shuttingDown) headers.connection = "close";
  if (!res.destroyed) {
    res.writeHead(response.status, headers);
    await new Promise<void>((resolve) => res.end(response.body, resolve));
  }
  if (!req.complete) req.destroy();
  services.metrics.requests.inc({ route: routeLabel, status: String(response.status) });
  services.metrics.latency.observe((performance.now() - receivedAt) / 1000, { route: routeLabel });
}

function problemResponse(error: unknown, requestId: string): RouteResponse {
  const known =
    error instanceof WorkerError ? error : new WorkerError("internal", "unexpected error; the request id is in the logs");
  if (!(error instanceof WorkerError)) console.error(`${requestId} internal error`, error);
  return {
    status: known.status,
    headers: { ...known.headers, "content-type": "application/problem+json" },
    body: JSON.stringify(toProblem(known, requestId)),
  };
}
