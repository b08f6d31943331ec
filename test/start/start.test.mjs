// `npm start` is the README's first command: from this checkout it must set everything up,
// serve the default bundle through the edge (and every other shipped bundle from the worker),
// and stop everything on Ctrl-C.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort } from "../../scripts/lib/ports.mjs";
import { safetensorsHeader } from "../../scripts/lib/safetensors.mjs";
import { shippedBundles } from "../../scripts/lib/setup.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const READY = "=== text2lora is running";

test("npm start serves the default bundle and Ctrl-C stops everything", { timeout: 20 * 60_000 }, async () => {
  const edgePort = await freePort();
  const workerPort = await freePort();
  const start = spawn("npm", ["start"], {
    cwd: root,
    detached: true, // its own process group, so "Ctrl-C" reaches every process in it, as in a terminal
    env: { ...process.env, EDGE_PORT: String(edgePort), GPU_WORKER_PORT: String(workerPort), OMP_NUM_THREADS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  start.stdout.on("data", (chunk) => (output += chunk));
  start.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((done) => start.once("exit", (code, signal) => done({ code, signal })));

  try {
    await waitFor(() => output.includes(READY), exited, 18 * 60_000, () => output.slice(-3000));
    const key = /development API key[^\n]*\n\s+(t2l_sk_\S+)/.exec(output)?.[1];
    assert.ok(key, "the dev key is printed");
    assert.match(output, /curl -sS -X POST http:\/\/127\.0\.0\.1:\d+\/v1\/adapters/);

    const edge = `http://127.0.0.1:${edgePort}`;
    const response = await fetch(`${edge}/v1/adapters`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ description: `Summarise a news article in one sentence. (${Date.now()})` }),
    });
    assert.ok([200, 201].includes(response.status), await response.clone().text());
    const adapter = await response.json();
    assert.equal(adapter.status, "ready");
    assert.match(adapter.bundle, /^smollm2-135m-instruct-t2l@/);

    const blob = Buffer.from(await (await fetch(adapter.files["adapter_model.safetensors"])).arrayBuffer());
    const header = safetensorsHeader(blob);
    const q = header["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"];
    const v = header["base_model.model.model.layers.29.self_attn.v_proj.lora_B.weight"];
    assert.deepEqual(q.shape, [8, 576]);
    assert.deepEqual(v.shape, [192, 8]);
    assert.equal(Object.keys(header).filter((name) => name !== "__metadata__").length, 30 * 2 * 2);

    const served = (await (await fetch(`http://127.0.0.1:${workerPort}/healthz`)).json()).bundles;
    const names = served.map((id) => id.slice(0, id.indexOf("@"))).sort();
    assert.deepEqual(names, shippedBundles(root), `every shipped bundle is exported and served (${served.join(", ")})`);
  } finally {
    try {
      process.kill(-start.pid, "SIGINT");
    } catch {
      // already gone
    }
  }
  const { code, signal } = await exited;
  // npm itself reports an interrupted script the shell's way (130 or SIGINT); the script must
  // have shut its services down rather than been torn away from them.
  assert.ok(code === 0 || code === 130 || signal === "SIGINT", `exit ${code} ${signal}\n${output.slice(-3000)}`);
  assert.match(output, /stopping services/);
  for (const port of [edgePort, workerPort]) {
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), `nothing listens on ${port} after Ctrl-C`);
  }
});

async function waitFor(condition, exited, timeoutMs, context) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited.then(() => (gone = true));
  while (!condition()) {
    if (gone) throw new Error(`npm start exited before it was ready:\n${context()}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready within ${timeoutMs / 1000} s:\n${context()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
