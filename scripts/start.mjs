// `npm start`: brings the whole platform up on this machine from a fresh clone.
// Every setup step is idempotent (skipped when its inputs have not changed), so a
// second start is fast. Ctrl-C stops everything this script started.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBundles, ensureNodeDependencies, ensurePythonEnvironment } from "./lib/setup.mjs";
import { runStep, startService, stopServices, waitForHttp } from "./lib/process.mjs";
import { ensureDevTenantKey } from "./lib/dev-tenant.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const EDGE_PORT = Number(process.env.EDGE_PORT ?? 8787);
const WORKER_PORT = Number(process.env.GPU_WORKER_PORT ?? 8788);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", ONNXRUNTIME_NODE_INSTALL: "skip", HF_HUB_OFFLINE: "1" };

const services = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping services…");
  await stopServices(services);
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

try {
  ensureNodeDependencies(root, env);
  ensurePythonEnvironment(root, env);
  // The worker serves every exported bundle under bundles/, so every shipped one is exported.
  ensureBundles(root, env);
  const secrets = ensureDevVars(root, WORKER_PORT);

  console.log("\n=== applying D1 migrations (local)");
  runStep("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { cwd: root, env });

  console.log("\n=== building the gpu-worker");
  runStep("npm", ["--prefix", "gpu-worker", "run", "--silent", "build"], { cwd: root, env });

  console.log(`\n=== starting gpu-worker on 127.0.0.1:${WORKER_PORT}`);
  const worker = startService("gpu-worker", "npm", ["--prefix", "gpu-worker", "run", "--silent", "start"], {
    cwd: root,
    env: { ...env, PORT: String(WORKER_PORT), HOST: "127.0.0.1", BUNDLES_DIR: resolve(root, "bundles"), GPU_WORKER_SECRET: secrets.GPU_WORKER_SECRET },
  });
  services.push(worker);
  await waitForHttp(`http://127.0.0.1:${WORKER_PORT}/healthz`, worker);

  console.log(`\n=== starting the edge (wrangler dev) on 127.0.0.1:${EDGE_PORT}`);
  const edge = startService("edge", "npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(EDGE_PORT)], { cwd: root, env });
  services.push(edge);
  const edgeUrl = `http://127.0.0.1:${EDGE_PORT}`;
  await waitForHttp(`${edgeUrl}/healthz`, edge);

  const apiKey = await ensureDevTenantKey(root, edgeUrl, secrets.OPERATOR_KEY);
  printWelcome(edgeUrl, apiKey);
} catch (error) {
  console.error(`\nnpm start failed: ${error.message}`);
  await shutdown(1);
}

/** Writes .dev.vars (local secrets for wrangler dev) once; later starts reuse it. */
function ensureDevVars(repoRoot, workerPort) {
  const path = resolve(repoRoot, ".dev.vars");
  const wanted = ["OPERATOR_KEY", "GPU_WORKER_SECRET", "URL_SIGNING_SECRET", "GPU_WORKER_URL"];
  const vars = existsSync(path) ? parseDevVars(readFileSync(path, "utf8")) : {};
  const fresh = (prefix) => `${prefix}${randomBytes(24).toString("base64url")}`;
  vars.OPERATOR_KEY ??= fresh("t2l_op_");
  vars.GPU_WORKER_SECRET ??= fresh("");
  vars.URL_SIGNING_SECRET ??= fresh("");
  vars.GPU_WORKER_URL = `http://127.0.0.1:${workerPort}`;
  writeFileSync(path, wanted.map((name) => `${name}=${JSON.stringify(vars[name])}`).join("\n") + "\n", { mode: 0o600 });
  return vars;
}

function parseDevVars(text) {
  const vars = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
  }
  return vars;
}

function printWelcome(edgeUrl, apiKey) {
  console.log(`
=== text2lora is running
edge       ${edgeUrl}   (dashboard: ${edgeUrl}/dashboard, OpenAPI: ${edgeUrl}/openapi.json)
gpu-worker http://127.0.0.1:${WORKER_PORT}

development API key (tenant "dev"):
  ${apiKey}

generate an adapter:
  curl -sS -X POST ${edgeUrl}/v1/adapters \\
    -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" \\
    -d '{"description": "Solve grade-school math word problems step by step."}'

load it with PEFT (Python, from .venv):
  import json, os, urllib.request
  from peft import PeftModel
  from t2l.base_model import load_base_model
  request = urllib.request.Request("${edgeUrl}/v1/adapters/<id>", headers={"Authorization": "Bearer ${apiKey}"})
  adapter = json.load(urllib.request.urlopen(request))
  os.makedirs("my-adapter", exist_ok=True)
  for name, url in adapter["files"].items():
      urllib.request.urlretrieve(url, os.path.join("my-adapter", name))
  model, tokenizer = load_base_model("HuggingFaceTB/SmolLM2-135M-Instruct")
  model = PeftModel.from_pretrained(model, "my-adapter")

Ctrl-C stops everything.`);
}
