// A real HTTP stand-in for the gpu-worker (Contract 3), for the edge tests and the bench:
// checks the HMAC signature, serves /v1/bundles, and answers /v1/generate with a real
// safetensors adapter (deterministic in the description). Descriptions may carry markers
// that make it misbehave the ways a real worker can:
//   [die-mid-stream]  sends Content-Length, half the bytes, then drops the connection
//   [wrong-sha]       X-Adapter-Sha256 that does not match the bytes
//   [overloaded]      503 problem+json with Retry-After: 0, every time
//   [flaky]           503 on the first attempt for this description, then normal
//   [slow]            waits 300 ms before answering (lets concurrent requests overlap)
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { writeSafetensors } from "./safetensors-writer";

export const STANDIN_BUNDLE = { name: "smollm2-135m-instruct-t2l", version: "0.1.0" };
const BUNDLE_ID = `${STANDIN_BUNDLE.name}@${STANDIN_BUNDLE.version}`;
const LAYERS = 2;
const RANK = 4;
const HIDDEN = 64;
const MODULES = ["q_proj", "v_proj"] as const;

export const standinManifest = {
  schema: "t2l.bundle/v1" as const,
  name: STANDIN_BUNDLE.name,
  version: STANDIN_BUNDLE.version,
  created_at: "2026-11-28T00:00:00Z",
  base_model: { hf_id: "HuggingFaceTB/SmolLM2-135M-Instruct", revision: "main", num_layers: LAYERS },
  lora: {
    r: RANK,
    lora_alpha: 8,
    use_rslora: false,
    modules: MODULES.map((name) => ({ name, path: `model.layers.{layer}.self_attn.${name}`, in_features: HIDDEN, out_features: HIDDEN })),
  },
  encoder: { name: "all-MiniLM-L6-v2", dim: 384, max_length: 256 },
  hypernet: { variant: "S", params: 1000 },
  normalization: "nfc-trim-collapse/v1" as const,
  files: {},
};

export interface StandinStats {
  /** /v1/generate calls that passed the signature check, by description. */
  generateCalls: Record<string, number>;
  bundleCalls: number;
  rejectedSignatures: number;
}

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/** A deterministic adapter: values from a hash-seeded generator, so equal descriptions give equal bytes. */
export function standinAdapter(description: string, scale = 1): Buffer {
  let seed = Number.parseInt(sha256(description).slice(0, 8), 16);
  const next = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const tensors = [];
  for (let layer = 0; layer < LAYERS * scale; layer++) {
    for (const module of MODULES) {
      const path = `base_model.model.model.layers.${layer}.self_attn.${module}`;
      tensors.push({ name: `${path}.lora_A.weight`, shape: [RANK, HIDDEN], values: Float32Array.from({ length: RANK * HIDDEN }, next) });
      tensors.push({ name: `${path}.lora_B.weight`, shape: [HIDDEN, RANK], values: Float32Array.from({ length: HIDDEN * RANK }, next) });
    }
  }
  return writeSafetensors(tensors, { format: "pt", bundle: BUNDLE_ID, description_sha256: sha256(description) });
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function signatureValid(secret: string, request: IncomingMessage, path: string, body: Buffer): boolean {
  const timestamp = request.headers["x-t2l-timestamp"];
  const signature = request.headers["x-t2l-signature"];
  if (typeof timestamp !== "string" || typeof signature !== "string" || !/^[0-9a-f]{64}$/.test(signature)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}\n${request.method}\n${path}\n${sha256(body)}`).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

function problem(status: number, code: string, detail: string, headers: Record<string, string> = {}) {
  return { status, headers: { "content-type": "application/problem+json", ...headers }, body: JSON.stringify({ status, code, title: code, detail }) };
}

export async function startGpuWorkerStandin(options: { secret: string; port?: number; adapterScale?: number }): Promise<{
  url: string;
  server: Server;
  stats: StandinStats;
  close: () => Promise<void>;
}> {
  const stats: StandinStats = { generateCalls: {}, bundleCalls: 0, rejectedSignatures: 0 };
  const flakySeen = new Set<string>();
  const server = createServer((request, response) => {
    void handle(request, response);
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://standin");
    const body = await readBody(request);
    const send = (r: { status: number; headers: Record<string, string>; body: string }) => {
      response.writeHead(r.status, r.headers);
      response.end(r.body);
    };
    if (url.pathname === "/__standin/stats") {
      send({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(stats) });
      return;
    }
    if (url.pathname === "/healthz") {
      send({ status: 200, headers: { "content-type": "application/json" }, body: '{"status":"ok"}' });
      return;
    }
    if (!signatureValid(options.secret, request, url.pathname, body)) {
      stats.rejectedSignatures++;
      send(problem(401, "auth_bad_signature", "X-T2L-Signature does not match this request"));
      return;
    }
    if (request.method === "GET" && url.pathname === "/v1/bundles") {
      stats.bundleCalls++;
      send({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ bundles: [{ id: BUNDLE_ID, default: true, execution_provider: "cpu", manifest: standinManifest }] }) });
      return;
    }
    if (request.method !== "POST" || url.pathname !== "/v1/generate") {
      send(problem(404, "not_found", `no route ${request.method} ${url.pathname}`));
      return;
    }
    const { description, bundle } = JSON.parse(body.toString("utf8")) as { description: string; bundle?: string };
    if (bundle !== undefined && bundle !== BUNDLE_ID && bundle !== STANDIN_BUNDLE.name) {
      send(problem(404, "unknown_bundle", `no bundle ${bundle}`));
      return;
    }
    stats.generateCalls[description] = (stats.generateCalls[description] ?? 0) + 1;
    if (description.includes("[overloaded]") || (description.includes("[flaky]") && !flakySeen.has(description))) {
      flakySeen.add(description);
      send(problem(503, "overloaded", "queue full", { "retry-after": "0" }));
      return;
    }
    if (description.includes("[slow]")) await new Promise((resolve) => setTimeout(resolve, 300));
    const adapter = standinAdapter(description, options.adapterScale ?? 1);
    const claimed = description.includes("[wrong-sha]") ? sha256("something else") : sha256(adapter);
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": String(adapter.length),
      "x-adapter-sha256": claimed,
      "x-bundle": BUNDLE_ID,
      "x-description-sha256": sha256(description),
      "x-generation-ms": "7.4",
    });
    if (description.includes("[die-mid-stream]")) {
      response.write(adapter.subarray(0, adapter.length >> 1), () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    response.end(adapter);
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
