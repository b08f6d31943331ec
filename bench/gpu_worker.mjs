// gpu-worker benchmark: per-description latency through the HTTP service vs the bare ONNX
// Runtime graph time measured in the same run, batched throughput, byte-identity of batched
// and single answers on the real shape, and the worker's peak RSS (a worker serving that one
// bundle); for the bundle the edge serves by default (wrangler.toml's DEFAULT_BUNDLE: the
// top-level fields and the goals), its opt-in int8 export (`int8`), and every other exported
// bundle folder and its int8 export (`other_bundles`, by name).
// Writes docs/results/gpu_worker.json.
// Usage: node bench/gpu_worker.mjs [--quick] [--bundles-dir DIR (default bundles)]
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { availableParallelism, cpus, loadavg } from "node:os";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const WORKER = resolve(ROOT, "gpu-worker");
const QUICK = process.argv.includes("--quick");
const BUNDLES_FLAG = process.argv.indexOf("--bundles-dir");
const BUNDLES_DIR = BUNDLES_FLAG === -1 ? "bundles" : process.argv[BUNDLES_FLAG + 1];
if (BUNDLES_DIR === undefined) throw new Error("--bundles-dir needs a folder: node bench/gpu_worker.mjs --bundles-dir DIR");
const SECRET = "bench-secret-0123456789abcdef";
// 0: ONNX Runtime's own choice (one thread per physical core), the worker's default too.
const THREADS = Number(process.env.ORT_INTRA_OP_THREADS ?? 0);
const SPINNING = process.env.ORT_ALLOW_SPINNING === "1"; // the worker's default is off
const COUNTS = QUICK ? { warmup: 3, bare: 20, sequential: 30, batched: 64 } : { warmup: 8, bare: 100, sequential: 200, batched: 512 };
const CONCURRENCY = 32;
const GOALS = { p50_ms: 15, ratio_service_over_bare_ort: 3, adapters_per_s_batched: 200, peak_rss_mb: 500 };

const SUBJECTS = ["customer emails", "legal contracts", "grade-school math problems", "Python stack traces", "restaurant reviews", "medical abstracts", "tweets about elections", "product manuals"];
const TASKS = ["Summarise", "Classify the tone of", "Extract the key entities from", "Translate into French", "Answer questions about", "Write a one-line title for", "Find factual errors in", "Rewrite for a ten-year-old"];
const DESCRIPTIONS = TASKS.flatMap((task) => SUBJECTS.map((subject) => `${task} ${subject}, keeping the answer short and precise.`));

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  return result.stdout.trim();
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round = (x, digits = 2) => Number(x.toFixed(digits));
// The machine is shared: record how busy it was, since every number below depends on it.
const loadAtStart = round(loadavg()[0]);

// 1. The bundles (each in a directory of its own, and its int8 export) and the worker build.
const pythonEnv = { ...process.env, HF_HUB_OFFLINE: "1", TRANSFORMERS_VERBOSITY: "error", HF_HUB_DISABLE_PROGRESS_BARS: "1" };
const bundleHelper = (...flags) =>
  run(resolve(ROOT, ".venv/bin/python"), ["bench/gpu_worker_bundle.py", ".cache/bench/gpu-worker", "--bundles-dir", BUNDLES_DIR, ...flags], { env: pythonEnv })
    .split("\n")
    .at(-1);
const shipped = JSON.parse(bundleHelper("--list"));
for (const name of shipped.not_exported) {
  console.log(`skipping ${BUNDLES_DIR}/${name}: no manifest.json (not exported; \`npm start\` or \`t2l export-bundle\` exports it)`);
}
const subjects = [shipped.default, ...shipped.exported].map((name) => ({
  name,
  dir: bundleHelper("--bundle", name),
  int8Dir: bundleHelper("--bundle", name, "--int8"),
}));
run("npm", ["--prefix", WORKER, "run", "--silent", "build"]);
const { loadBundles } = await import(resolve(WORKER, "dist/bundle/loadBundles.js"));
const { signRequest } = await import(resolve(WORKER, "dist/http/signing.js"));
const { packAdapter } = await import(resolve(WORKER, "dist/adapter/packAdapter.js"));
const { Float16Cast } = await import(resolve(WORKER, "dist/adapter/float16Cast.js"));

/** Steps 2-6 against the one bundle in `dir`. */
async function measure(dir) {
  // 2. Bare ONNX Runtime: encoder + hypernetwork `run` time for one description, in this
  //    process, split by graph, plus the worker's own packing (float16 + safetensors + sha256).
  const [bundle] = await loadBundles(dir, { providers: "cpu", intraOpThreads: THREADS, allowSpinning: SPINNING });
  const float16 = new Float16Cast();
  const bareMs = [];
  const stageMs = { encoder: [], hypernet: [], pack: [] };
  for (let i = 0; i < COUNTS.warmup + COUNTS.bare; i += 1) {
    const encoderTiming = { ortMs: 0 };
    const hypernetTiming = { ortMs: 0 };
    const embedding = await bundle.embed([DESCRIPTIONS[i % DESCRIPTIONS.length]], encoderTiming);
    const [lora] = await bundle.hypernetForward(embedding, hypernetTiming);
    const packStarted = performance.now();
    createHash("sha256").update(await packAdapter(bundle, lora, "float16", "0".repeat(64), float16)).digest("hex");
    if (i < COUNTS.warmup) continue;
    bareMs.push(encoderTiming.ortMs + hypernetTiming.ortMs);
    stageMs.encoder.push(encoderTiming.ortMs);
    stageMs.hypernet.push(hypernetTiming.ortMs);
    stageMs.pack.push(performance.now() - packStarted);
  }
  const bundleInfo = {
    id: bundle.id,
    encoder: bundle.manifest.encoder.name,
    hypernet_variant: bundle.manifest.hypernet.variant,
    hypernet_params: bundle.manifest.hypernet.params,
    quantization: bundle.manifest.quantization ?? null,
    parity: bundle.manifest.parity ?? {},
    batching: { ...bundle.batching },
    lora_layers: bundle.manifest.base_model.num_layers,
    lora_modules: bundle.modules.map((m) => m.name),
    training: bundle.manifest.training ?? {},
  };
  await Promise.all([bundle.dispose(), float16.dispose()]);

  // 3. The service, as its own process (so its RSS is its own), on an ephemeral port.
  const worker = spawn(process.execPath, [resolve(WORKER, "dist/main.js")], {
    env: { ...process.env, BUNDLES_DIR: dir, GPU_WORKER_SECRET: SECRET, PORT: "0", ORT_INTRA_OP_THREADS: String(THREADS), ORT_ALLOW_SPINNING: SPINNING ? "1" : "0", MAX_QUEUE: "1024" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let output = "";
    worker.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolveUrl(match[1]);
    });
    worker.once("exit", (code) => reject(new Error(`worker exited with ${code} before listening`)));
  });

  // A lean keep-alive client, as the edge's connection pool is: Node's fetch (undici) spent
  // ~3 ms more per request on this 2-core machine than node:http, all of it client-side.
  // The clock stops when the last body byte arrives; the checks come after.
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(`${url}/v1/generate`);
  async function generate(description) {
    const body = Buffer.from(JSON.stringify({ description, dtype: "float16" }));
    const headers = { "content-type": "application/json", "content-length": body.length, ...signRequest(SECRET, "POST", "/v1/generate", body) };
    const started = performance.now();
    const response = await new Promise((resolveResponse, reject) => {
      const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolveResponse({ status: res.statusCode, headers: res.headers, bytes: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      request.on("error", reject);
      request.end(body);
    });
    const elapsed = performance.now() - started;
    const { status, bytes } = response;
    if (status !== 200) throw new Error(`HTTP ${status}: ${bytes.toString("utf8")}`);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (sha !== response.headers["x-adapter-sha256"]) throw new Error("body does not match X-Adapter-Sha256");
    return { elapsed, sha, bytes: bytes.length, serverMs: Number(response.headers["x-generation-ms"]) };
  }

  // 4. Per-description latency, one request at a time.
  const latencies = [];
  const serverLatencies = [];
  const singleSha = new Map();
  let adapterBytes = 0;
  for (let i = 0; i < COUNTS.warmup + COUNTS.sequential; i += 1) {
    const description = DESCRIPTIONS[i % DESCRIPTIONS.length];
    const { elapsed, sha, bytes, serverMs } = await generate(description);
    singleSha.set(description, sha);
    adapterBytes = bytes;
    if (i < COUNTS.warmup) continue;
    latencies.push(elapsed);
    serverLatencies.push(serverMs);
  }

  // 5. Batched throughput: CONCURRENCY requests in flight until COUNTS.batched are answered.
  const scrapeMetrics = async () => (await fetch(`${url}/metrics`)).text();
  const metric = (text, name) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  const metricsBefore = await scrapeMetrics();
  let next = 0;
  let mismatches = 0;
  const throughputStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNTS.batched) {
        const description = DESCRIPTIONS[next++ % DESCRIPTIONS.length];
        const { sha } = await generate(description);
        if (singleSha.has(description) && singleSha.get(description) !== sha) mismatches += 1;
      }
    }),
  );
  const throughputSeconds = (performance.now() - throughputStarted) / 1000;

  // 6. Batch sizes the service formed in the batched phase, peak RSS, then a graceful stop.
  const metricsAfter = await scrapeMetrics();
  const phaseDelta = (name) => metric(metricsAfter, name) - metric(metricsBefore, name);
  const peakRssKb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${worker.pid}/status`, "utf8"))[1]);
  agent.destroy();
  worker.kill("SIGTERM");
  const exitCode = await new Promise((resolveExit) => worker.once("exit", resolveExit));

  const p50 = percentile(latencies, 50);
  const bareP50 = percentile(bareMs, 50);
  return {
    bundle: bundleInfo,
    adapter: { dtype: "float16", bytes: adapterBytes },
    requests: { sequential: latencies.length, batched: COUNTS.batched, concurrency: CONCURRENCY, distinct_descriptions: DESCRIPTIONS.length },
    p50_ms: round(p50),
    p99_ms: round(percentile(latencies, 99)),
    // X-Generation-Ms: from the request's arrival to the response body being ready, in the worker.
    server_generation_p50_ms: round(percentile(serverLatencies, 50)),
    bare_ort_p50_ms: round(bareP50),
    bare_ort_p99_ms: round(percentile(bareMs, 99)),
    ratio_service_over_bare_ort: round(p50 / bareP50, 3),
    stage_p50_ms: Object.fromEntries(Object.entries(stageMs).map(([stage, values]) => [stage, round(percentile(values, 50))])),
    adapters_per_s_batched: round(COUNTS.batched / throughputSeconds, 1),
    mean_batch_size_batched: round(phaseDelta("t2l_worker_batch_size_sum") / phaseDelta("t2l_worker_batch_size_count")),
    batched_bytes_equal_single: mismatches === 0,
    peak_rss_mb: round(peakRssKb / 1024, 1),
    graceful_exit_code: exitCode,
  };
}

const goalsMet = (measured) => ({
  p50_ms: measured.p50_ms <= GOALS.p50_ms,
  ratio_service_over_bare_ort: measured.ratio_service_over_bare_ort <= GOALS.ratio_service_over_bare_ort,
  adapters_per_s_batched: measured.adapters_per_s_batched >= GOALS.adapters_per_s_batched,
  peak_rss_mb: measured.peak_rss_mb <= GOALS.peak_rss_mb,
});

const withGoals = (measured) => ({ ...measured, meets_goals: goalsMet(measured) });
/** A bundle, then the opt-in int8 export of the same weights (trainer/README.md), measured the same way. */
const measureWithInt8 = async ({ dir, int8Dir }) => ({ ...withGoals(await measure(dir)), int8: withGoals(await measure(int8Dir)) });

const [served, ...others] = subjects;
const { meets_goals, int8, ...measured } = await measureWithInt8(served);
const otherBundles = {};
for (const subject of others) otherBundles[subject.name] = await measureWithInt8(subject);
const result = {
  benchmark: "gpu_worker",
  command: ["node bench/gpu_worker.mjs", ...process.argv.slice(2)].join(" "),
  measured_at: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    cpu_model: cpus()[0]?.model ?? "unknown",
    load_average_1m_at_start: loadAtStart,
    load_average_1m_at_end: round(loadavg()[0]),
    node: process.version,
    execution_provider: "cpu",
    ort_intra_op_threads: THREADS,
    ort_allow_spinning: SPINNING,
  },
  ...measured,
  goals: GOALS,
  meets_goals,
  int8,
  other_bundles: otherBundles,
};
mkdirSync(resolve(ROOT, "docs/results"), { recursive: true });
writeFileSync(resolve(ROOT, "docs/results/gpu_worker.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
const sound = (m) => m.batched_bytes_equal_single && m.graceful_exit_code === 0;
const all = [result, ...Object.values(otherBundles)].flatMap((m) => [m, m.int8]);
if (!all.every(sound)) process.exit(1);
