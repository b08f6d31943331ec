// Edge benchmark: against `wrangler dev` on 127.0.0.1 (fresh local state), with the
// gpu-worker stand-in behind it. Measures, in the same run and interleaved so both see the
// same machine noise:
//   - cache-hit POST /v1/adapters latency (p50/p99),
//   - the baseline: GET /v1/me, a bare route that only authenticates (same auth + rate limit),
//   - the floor: GET /healthz (no auth, no storage): what wrangler dev itself costs here,
//   - cached adapter download throughput (signed CDN URL and authenticated route).
// Writes docs/results/edge.json. Usage: npm run bench:edge [-- --requests 400]
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { startGpuWorkerStandin } from "../test/node/gpu-worker-standin";

// Run from the repository root (npm runs scripts there); the bundled copy lives in .cache/.
const root = process.cwd();
if (!existsSync(resolve(root, "wrangler.toml"))) throw new Error("run from the repository root: npm run bench:edge");
const args = new Map(process.argv.slice(2).map((arg, i, all) => [arg, all[i + 1] ?? ""]));
const REQUESTS = Number(args.get("--requests") ?? 400);
const DOWNLOADS = Number(args.get("--downloads") ?? 40);
const WARMUP = 30;
// ~2 MB adapter (the stand-in repeats its 2-layer block): large enough to measure throughput.
const ADAPTER_SCALE = 256;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        done(typeof address === "object" && address ? address.port : 0);
      });
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms`);
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

// Server-Timing phases of the measured responses, by name (ms, as the Worker saw them).
const phases = new Map<string, number[]>();

async function timed(run: () => Promise<Response>, expectStatus: number, recordPhases = false): Promise<number> {
  const started = performance.now();
  const response = await run();
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== expectStatus) throw new Error(`expected ${expectStatus}, got ${response.status}`);
  if (recordPhases) {
    for (const entry of (response.headers.get("server-timing") ?? "").split(",")) {
      const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(entry);
      if (match?.[1] && match[2]) phases.set(match[1], [...(phases.get(match[1]) ?? []), Number(match[2])]);
    }
  }
  return elapsed;
}

async function main(): Promise<void> {
  const secrets = {
    OPERATOR_KEY: `t2l_op_${randomBytes(24).toString("base64url")}`,
    GPU_WORKER_SECRET: randomBytes(32).toString("hex"),
    URL_SIGNING_SECRET: randomBytes(32).toString("hex"),
  };
  const standin = await startGpuWorkerStandin({ secret: secrets.GPU_WORKER_SECRET, adapterScale: ADAPTER_SCALE });
  const persist = resolve(root, ".cache/bench-edge-state");
  rmSync(persist, { recursive: true, force: true });
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" };
  const wrangler = resolve(root, "node_modules/.bin/wrangler");
  const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: root, env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);

  const port = await freePort();
  const vars = { ...secrets, GPU_WORKER_URL: standin.url };
  const dev = spawn(
    wrangler,
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist, "--inspector-port", String(await freePort()), "--log-level", "error", "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`])],
    { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
  );
  const edge = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${edge}/healthz`, dev);
    const operator = { authorization: `Bearer ${secrets.OPERATOR_KEY}`, "content-type": "application/json" };
    const tenant = (await (await fetch(`${edge}/admin/tenants`, { method: "POST", headers: operator, body: JSON.stringify({ name: "bench", plan: "enterprise" }) })).json()) as { id: string };
    const keyResponse = await fetch(`${edge}/admin/tenants/${tenant.id}/keys`, {
      method: "POST",
      headers: operator,
      body: JSON.stringify({ name: "bench", scopes: ["adapters:read", "adapters:write"] }),
    });
    const { key } = (await keyResponse.json()) as { key: string };
    const auth = { authorization: `Bearer ${key}` };
    const body = JSON.stringify({ description: "Solve grade-school math word problems step by step." });
    const create = () => fetch(`${edge}/v1/adapters`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body });
    const me = () => fetch(`${edge}/v1/me`, { headers: auth });
    const health = () => fetch(`${edge}/healthz`);
    const loadBefore = loadavg()[0] ?? 0;

    const first = await create();
    if (first.status !== 201) throw new Error(`first generation failed: ${first.status} ${await first.text()}`);
    const adapter = (await first.json()) as { id: string; bytes: number; files: Record<string, string> };

    for (let i = 0; i < WARMUP; i++) {
      await timed(create, 200);
      await timed(me, 200);
    }
    const hit: number[] = [];
    const authOnly: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      // Alternate which goes first so neither systematically follows the other.
      if (i % 2 === 0) {
        hit.push(await timed(create, 200, true));
        authOnly.push(await timed(me, 200));
      } else {
        authOnly.push(await timed(me, 200));
        hit.push(await timed(create, 200, true));
      }
      floor.push(await timed(health, 200));
    }
    hit.sort((a, b) => a - b);
    authOnly.sort((a, b) => a - b);
    floor.sort((a, b) => a - b);

    const cdnUrl = adapter.files["adapter_model.safetensors"] ?? "";
    const authedUrl = `${edge}/v1/adapters/${adapter.id}/files/adapter_model.safetensors`;
    const throughput = async (run: () => Promise<Response>) => {
      await timed(run, 200);
      const started = performance.now();
      for (let i = 0; i < DOWNLOADS; i++) await timed(run, 200);
      const seconds = (performance.now() - started) / 1000;
      return (adapter.bytes * DOWNLOADS) / 1e6 / seconds;
    };
    const cdnMbS = await throughput(() => fetch(cdnUrl));
    const authedMbS = await throughput(() => fetch(authedUrl, { headers: auth }));

    const result = {
      benchmark: "edge",
      generated_by: "npm run bench:edge",
      target: "wrangler dev (local workerd + miniflare D1/KV/R2/DO), gpu-worker stand-in",
      requests_per_route: REQUESTS,
      downloads: DOWNLOADS,
      adapter_bytes: adapter.bytes,
      cache_hit_p50_ms: round(percentile(hit, 50)),
      cache_hit_p99_ms: round(percentile(hit, 99)),
      auth_only_p50_ms: round(percentile(authOnly, 50)),
      auth_only_p99_ms: round(percentile(authOnly, 99)),
      cache_hit_over_auth_only_p50: round(percentile(hit, 50) / percentile(authOnly, 50), 3),
      floor_healthz_p50_ms: round(percentile(floor, 50)),
      cache_hit_server_phases_p50_ms: Object.fromEntries([...phases].map(([name, values]) => [name, percentile(values.sort((a, b) => a - b), 50)])),
      download_mb_s: round(cdnMbS),
      download_authenticated_mb_s: round(authedMbS),
      goal_cache_hit_p50_ms: 10,
      node: process.version,
      cpus: cpus().length,
      load_average_1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
      measured_at: new Date().toISOString(),
    };
    mkdirSync(resolve(root, "docs/results"), { recursive: true });
    writeFileSync(resolve(root, "docs/results/edge.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    dev.kill("SIGTERM");
    await standin.close();
  }
}

await main();
