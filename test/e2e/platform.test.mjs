// End to end: the real gpu-worker (ONNX Runtime, a bundle exported by the trainer) behind the
// real edge Worker under `wrangler dev` (local D1/KV/R2/DOs). An adapter is generated through
// the public API by the README's own examples, downloaded from its signed CDN URL and loaded
// with PEFT onto the bundle's base model, where its logits must match the trainer's.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createTenant, createTenantKey } from "../../scripts/lib/operator-api.mjs";
import { freePort } from "../../scripts/lib/ports.mjs";
import { safetensorsHeader } from "../../scripts/lib/safetensors.mjs";
import { runStep, startService, stopServices, waitForHttp } from "../../scripts/lib/process.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const python = resolve(root, ".venv/bin/python");
const fixtures = resolve(root, ".cache/e2e/fixtures");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", HF_HUB_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1", OMP_NUM_THREADS: "1" };
const secret = () => randomBytes(32).toString("base64url");
const secrets = { OPERATOR_KEY: `t2l_op_${secret()}`, GPU_WORKER_SECRET: secret(), URL_SIGNING_SECRET: secret() };
const DESCRIPTION = "Answer yes or no: is the statement about the physical world plausible?";

const services = [];
let edgeUrl;
let workerUrl;
let apiKey;
let work; // scratch folder the examples run in (they write my-adapter/ into their cwd)

before(async () => {
  runStep(python, ["gpu-worker/test/fixtures/build_test_bundles.py", fixtures], { cwd: root, env });
  runStep("npm", ["--prefix", "gpu-worker", "run", "--silent", "build"], { cwd: root, env });

  const workerPort = await freePort();
  workerUrl = `http://127.0.0.1:${workerPort}`;
  const worker = startService("gpu-worker", "node", ["dist/main.js"], {
    cwd: resolve(root, "gpu-worker"),
    env: { ...env, HOST: "127.0.0.1", PORT: String(workerPort), BUNDLES_DIR: join(fixtures, "bundles"), GPU_WORKER_SECRET: secrets.GPU_WORKER_SECRET },
    quiet: true,
  });
  services.push(worker);

  const state = mkdtempSync(join(tmpdir(), "t2l-e2e-state-"));
  runStep("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env, stdio: "ignore" });
  const edgePort = await freePort();
  edgeUrl = `http://127.0.0.1:${edgePort}`;
  const vars = { ...secrets, GPU_WORKER_URL: workerUrl, DEFAULT_BUNDLE: "tiny-t2l" };
  const edge = startService(
    "edge",
    "npx",
    ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(edgePort), "--inspector-port", String(await freePort()), "--persist-to", state,
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`])],
    { cwd: root, env, quiet: process.env.E2E_VERBOSE !== "1" },
  );
  services.push(edge);
  await waitForHttp(`${workerUrl}/healthz`, worker);
  await waitForHttp(`${edgeUrl}/healthz`, edge, 180_000);

  apiKey = await createE2eKey();
  work = mkdtempSync(join(tmpdir(), "t2l-e2e-work-"));
});

after(async () => {
  await stopServices(services);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function createE2eKey() {
  const tenant = await createTenant(edgeUrl, secrets.OPERATOR_KEY, { name: "e2e", plan: "pro" });
  const { key } = await createTenantKey(edgeUrl, secrets.OPERATOR_KEY, tenant.id, {
    name: "e2e",
    scopes: ["adapters:read", "adapters:write", "keys:manage", "usage:read"],
  });
  return key;
}

function runExample(command, args) {
  const result = spawnSync(command, args, {
    cwd: work,
    env: { ...env, T2L_URL: edgeUrl, T2L_API_KEY: apiKey, T2L_BASE_MODEL: baseModelWithTokenizer() },
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

async function api(path, init = {}) {
  const request = () => fetch(`${edgeUrl}${path}`, { ...init, headers: { authorization: `Bearer ${apiKey}`, ...init.headers } });
  try {
    return await request();
  } catch (error) {
    // workerd closes idle keep-alive connections; undici may have picked one just as it closed.
    // Only a request that never reached the server (a GET) is safe to send again.
    if ((init.method ?? "GET") !== "GET" || error.cause?.code !== "UND_ERR_SOCKET") throw error;
    return request();
  }
}

async function workerGenerations() {
  const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((line) => line.startsWith("t2l_worker_adapters_total"))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

/** The dtype of a safetensors file's tensors, read from its JSON header. */
function safetensorsDtype(path) {
  const header = safetensorsHeader(readFileSync(path));
  const dtypes = new Set(Object.entries(header).filter(([name]) => name !== "__metadata__").map(([, t]) => t.dtype));
  assert.equal(dtypes.size, 1, `one dtype per adapter, got ${[...dtypes]}`);
  return { F16: "float16", F32: "float32" }[[...dtypes][0]];
}

// The tiny test base model has no tokenizer of its own; PEFT loading only needs one to exist.
let baseModelDir;
function baseModelWithTokenizer() {
  if (baseModelDir) return baseModelDir;
  baseModelDir = join(fixtures, "tiny-llama-with-tokenizer");
  rmSync(baseModelDir, { recursive: true, force: true });
  cpSync(join(fixtures, "tiny-llama"), baseModelDir, { recursive: true });
  for (const file of readdirSync(join(fixtures, "tiny-encoder")).filter((name) => name.startsWith("tokenizer") || name === "vocab.txt")) {
    cpSync(join(fixtures, "tiny-encoder", file), join(baseModelDir, file));
  }
  return baseModelDir;
}

describe("platform end to end", () => {
  let adapter;

  test("the curl example generates an adapter through the edge and downloads its files", async () => {
    const before = await workerGenerations();
    const output = runExample("bash", [resolve(root, "docs/examples/generate.sh"), DESCRIPTION]);
    const summary = JSON.parse(output.split("\n")[0]);
    assert.equal(summary.status, "ready");
    assert.equal(summary.cached, false);
    assert.equal(await workerGenerations(), before + 1);
    adapter = JSON.parse(readFileSync(join(work, "adapter.json"), "utf8"));
    const blob = readFileSync(join(work, "my-adapter/adapter_model.safetensors"));
    assert.equal(blob.length, adapter.bytes);
  });

  test("the same description again is a cache hit that never reaches the gpu-worker", async () => {
    const before = await workerGenerations();
    const response = await api("/v1/adapters", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: `  ${DESCRIPTION.replaceAll(" ", "   ")} ` }),
    });
    assert.equal(response.status, 200);
    const again = await response.json();
    assert.equal(again.cached, true);
    assert.equal(again.id, adapter.id);
    assert.equal(await workerGenerations(), before);
  });

  test("CDN URLs are immutable, revalidate with ETag and serve ranges", async () => {
    const url = adapter.files["adapter_model.safetensors"];
    const full = await fetch(url);
    assert.equal(full.status, 200);
    assert.match(full.headers.get("cache-control"), /immutable/);
    const etag = full.headers.get("etag");
    assert.ok(etag?.includes(adapter.sha256));
    await full.arrayBuffer();
    const revalidated = await fetch(url, { headers: { "if-none-match": etag } });
    assert.equal(revalidated.status, 304);
    const ranged = await fetch(url, { headers: { range: "bytes=0-7" } });
    assert.equal(ranged.status, 206);
    assert.equal((await ranged.arrayBuffer()).byteLength, 8);
  });

  test("PEFT loads the downloaded adapter and matches the trainer's in-memory logits", () => {
    const storedDtype = safetensorsDtype(join(work, "my-adapter/adapter_model.safetensors"));
    const result = spawnSync(python, ["gpu-worker/test/fixtures/check_peft_adapter.py", fixtures, DESCRIPTION, `${storedDtype}=${join(work, "my-adapter")}`], { cwd: root, env, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const check = JSON.parse(result.stdout.trim().split("\n").at(-1))[storedDtype];
    assert.ok(check.lora_effect > 1e-4, "the adapter changes the model's output");
    assert.ok(check.logits_max_abs_error < 1e-4, `logits differ by ${check.logits_max_abs_error}`);
  });

  test("the Python example loads the adapter with PEFT from the API", () => {
    const output = runExample(python, [resolve(root, "docs/examples/load_adapter.py"), adapter.id]);
    assert.match(output, new RegExp(`loaded ${adapter.id}`));
  });

  test("the TypeScript example generates (cached) and downloads", () => {
    const output = runExample(resolve(root, "node_modules/.bin/tsx"), [resolve(root, "docs/examples/generate.ts"), DESCRIPTION]);
    const summary = JSON.parse(output.trim().split("\n").at(-1));
    assert.equal(summary.id, adapter.id);
    assert.equal(summary.cached, true);
  });

  test("usage shows the generation and the cache hits", async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    let totals;
    for (let attempt = 0; attempt < 40; attempt++) {
      // Usage events travel through a queue: give the consumer a moment.
      ({ totals } = await (await api(`/v1/usage?from=${from}&to=${to}&granularity=hour`)).json());
      if (totals.generations >= 1 && totals.cache_hits >= 2 && totals.downloads >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(totals.generations, 1);
    assert.ok(totals.cache_hits >= 2, `cache hits: ${totals.cache_hits}`);
    assert.ok(totals.bytes_generated >= adapter.bytes);
    assert.ok(totals.downloads >= 1);
  });
});
