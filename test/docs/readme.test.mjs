// The README is a contract: its examples are the files the end-to-end test runs, its links
// resolve, its `t2l` commands exist, and its deploy configuration builds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gpuWorkerRows, heldoutAverages, renderReadme } from "../../scripts/sync-readme.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const readme = readFileSync(resolve(root, "README.md"), "utf8");

test("README example blocks are the files the end-to-end test runs", () => {
  assert.equal(readme, renderReadme(readme), "run `node scripts/sync-readme.mjs`");
  assert.ok((readme.match(/<!-- example: /g) ?? []).length >= 3);
});

test("the results summary gives every other benched bundle its row and its int8 export's", () => {
  const goals = { p50_ms: 15, ratio_service_over_bare_ort: 3, adapters_per_s_batched: 200, peak_rss_mb: 500 };
  const measured = (p50, rss, params, error) => ({
    bundle: { hypernet_params: params, parity: { hypernet_max_relative_error: error } },
    p50_ms: p50,
    p99_ms: 2 * p50,
    ratio_service_over_bare_ort: 1.5,
    adapters_per_s_batched: 250,
    peak_rss_mb: rss,
    meets_goals: { p50_ms: p50 <= goals.p50_ms, ratio_service_over_bare_ort: true, adapters_per_s_batched: true, peak_rss_mb: rss <= goals.peak_rss_mb },
  });
  const served = { ...measured(20, 400, 7_046_660), goals, int8: measured(12, 380, 7_046_660, 0.0062) };
  assert.equal(gpuWorkerRows(served).length, 5, "a document from before other_bundles still renders");

  const small = { ...measured(9, 510, 1_375_364), int8: measured(8, 300, 1_375_364, 0.0123) };
  const rows = gpuWorkerRows({ ...served, other_bundles: { "tiny-small": small } });
  assert.deepEqual(rows.slice(5), [
    [
      "gpu-worker, bundle `tiny-small` (hypernetwork 1.4 M parameters): latency p50 / batched throughput / peak RSS",
      "9 ms / 250 adapters/s / 510 MB",
      "p50 ≤ 15 ms, ≥ 200/s, ≤ 500 MB",
      "met / met / **not met**",
    ],
    ["gpu-worker, bundle `tiny-small`, opt-in int8 export (LoRA error 1.23%): latency p50 / batched throughput", "8 ms / 250 adapters/s", "p50 ≤ 15 ms, ≥ 200/s", "met / met"],
  ]);
});

test("the held-out averages say when a method covers fewer tasks than the others", () => {
  const evaluation = {
    tasks: ["piqa", "gsm8k", "bbh_navigate"],
    methods: {
      t2l: { avg: 0.305, tasks_scored: 3 },
      oracle_lora: { avg: 0.2, tasks_scored: 2 },
      multitask_lora: { avg: null, tasks_scored: 0 },
      base: { avg: 0.3 },
    },
  };
  assert.deepEqual(heldoutAverages(evaluation), ["`t2l` 30.5", "`oracle_lora` 20.0 (2 of 3 tasks)", "`multitask_lora` —", "`base` 30.0"]);
});

test("README links point at files in the repository", () => {
  const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length > 0);
  for (const link of links) assert.ok(existsSync(resolve(root, link)), `README links to missing ${link}`);
});

test("every t2l subcommand the READMEs use exists", () => {
  const text = readme + readFileSync(resolve(root, "trainer/README.md"), "utf8");
  const subcommands = new Set([...text.matchAll(/\bt2l ([a-z][a-z-]+)/g)].map((m) => m[1]));
  assert.ok(subcommands.size >= 4, [...subcommands].join(","));
  for (const sub of subcommands) {
    const result = spawnSync(resolve(root, ".venv/bin/t2l"), [sub, "--help"], { encoding: "utf8" });
    assert.equal(result.status, 0, `t2l ${sub} --help: ${result.stderr}`);
  }
});

test("every npm script the README names exists", () => {
  const scripts = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).scripts;
  for (const [, name] of readme.matchAll(/npm (?:run )?([a-z][a-z:-]*)/g)) {
    if (["install", "ci", "run"].includes(name)) continue;
    assert.ok(name in scripts, `README uses npm ${name}, which package.json lacks`);
  }
});

test("the deploy configuration builds (wrangler deploy --dry-run)", () => {
  const outdir = mkdtempSync(join(tmpdir(), "t2l-deploy-"));
  try {
    const result = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    assert.equal(result.status, 0, result.stderr || result.stdout);
    assert.ok(existsSync(join(outdir, "index.js")));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
