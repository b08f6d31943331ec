// Keeps README.md's generated blocks in step with their sources:
// - every `<!-- example: PATH -->` … `<!-- /example -->` block holds PATH's text verbatim
//   (the files the end-to-end test runs);
// - the `<!-- results-summary -->` block holds the headline numbers of docs/results/*.json.
//   node scripts/sync-readme.mjs          rewrite the blocks
//   node scripts/sync-readme.mjs --check  exit 1 if any block is stale
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const readmePath = resolve(root, "README.md");
const LANGUAGES = { ".sh": "bash", ".ts": "ts", ".py": "python", ".mjs": "js" };
const BLOCK = /<!-- example: (\S+) -->\n[\s\S]*?<!-- \/example -->/g;

const SUMMARY = /<!-- results-summary -->\n[\s\S]*?<!-- \/results-summary -->/;

function readResult(name) {
  const path = resolve(root, "docs/results", `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null;
}

const verdict = (met) => (met ? "met" : "**not met**");
const percent = (score) => (100 * score).toFixed(1);
const signed = (points) => `${points >= 0 ? "+" : ""}${points.toFixed(1)}`;
/** A margin and, when `t2l results` could compute one, its 95% bootstrap interval. */
const withInterval = (points, interval) => (interval ? `${signed(points)} [${signed(interval[0])}, ${signed(interval[1])}]` : signed(points));

/** Issue #4's quality bar as `t2l results` computed it (docs/results/quality_bar.json). */
function qualityRows(bar) {
  return bar.criteria.map((c) => {
    const scores = `${percent(c.t2l)} vs ${percent(c.reference)} \`${c.reference_method}\``;
    return "ratio" in c
      ? [c.label, `${c.ratio.toFixed(3)}× (${scores})`, `≥ ${c.goal_ratio}×`, verdict(c.met)]
      : [c.label, `${withInterval(c.margin_points, c.margin_ci95_points)} pts (${scores})`, `≥ ${signed(c.goal_margin_points)} pts`, verdict(c.met)];
  });
}

const millions = (count) => `${(count / 1e6).toFixed(1)} M`;

/** The opt-in int8 export's row; `what` names the bundle it was exported from. */
function int8Row(what, int8, goals) {
  const error = int8.bundle.parity?.hypernet_max_relative_error;
  const label = `${what} (LoRA error ${error === undefined ? "?" : `${(100 * error).toFixed(2)}%`}): latency p50 / batched throughput`;
  return [label, `${int8.p50_ms} ms / ${int8.adapters_per_s_batched} adapters/s`, `p50 ≤ ${goals.p50_ms} ms, ≥ ${goals.adapters_per_s_batched}/s`, `${verdict(int8.meets_goals.p50_ms)} / ${verdict(int8.meets_goals.adapters_per_s_batched)}`];
}

/** docs/results/gpu_worker.json: the served default bundle in full, every other bundle in one row, each int8 export in one. */
export function gpuWorkerRows(worker) {
  const { goals } = worker;
  const rows = [
    ["gpu-worker latency p50 / p99", `${worker.p50_ms} / ${worker.p99_ms} ms`, `p50 ≤ ${goals.p50_ms} ms`, verdict(worker.meets_goals.p50_ms)],
    ["gpu-worker service / bare ONNX Runtime", `${worker.ratio_service_over_bare_ort}×`, `≤ ${goals.ratio_service_over_bare_ort}×`, verdict(worker.meets_goals.ratio_service_over_bare_ort)],
    ["gpu-worker batched throughput", `${worker.adapters_per_s_batched} adapters/s`, `≥ ${goals.adapters_per_s_batched}`, verdict(worker.meets_goals.adapters_per_s_batched)],
    ["gpu-worker peak RSS", `${worker.peak_rss_mb} MB`, `≤ ${goals.peak_rss_mb} MB`, verdict(worker.meets_goals.peak_rss_mb)],
  ];
  if (worker.int8) rows.push(int8Row("gpu-worker, opt-in int8 bundle", worker.int8, goals));
  for (const [name, other] of Object.entries(worker.other_bundles ?? {})) {
    const met = other.meets_goals;
    rows.push([
      `gpu-worker, bundle \`${name}\` (hypernetwork ${millions(other.bundle.hypernet_params)} parameters): latency p50 / batched throughput / peak RSS`,
      `${other.p50_ms} ms / ${other.adapters_per_s_batched} adapters/s / ${other.peak_rss_mb} MB`,
      `p50 ≤ ${goals.p50_ms} ms, ≥ ${goals.adapters_per_s_batched}/s, ≤ ${goals.peak_rss_mb} MB`,
      [met.p50_ms, met.adapters_per_s_batched, met.peak_rss_mb].map(verdict).join(" / "),
    ]);
    if (other.int8) rows.push(int8Row(`gpu-worker, bundle \`${name}\`, opt-in int8 export`, other.int8, goals));
  }
  return rows;
}

// Each method's held-out average; one scored on fewer tasks (the oracle LoRA: only the tasks
// with training data) says how many, since its average is not comparable to the others'.
export function heldoutAverages(evaluation) {
  const taskCount = evaluation.tasks.length;
  return Object.entries(evaluation.methods).map(([name, method]) => {
    if (method.avg === null) return `\`${name}\` —`;
    const partial = method.tasks_scored !== undefined && method.tasks_scored < taskCount;
    return `\`${name}\` ${(100 * method.avg).toFixed(1)}${partial ? ` (${method.tasks_scored} of ${taskCount} tasks)` : ""}`;
  });
}

/** Headline rows: [what, measured, goal, verdict], straight from the benchmark JSON. */
export function resultsSummary() {
  const rows = [];
  const bar = readResult("quality_bar");
  if (bar) rows.push(...qualityRows(bar));
  const reconstruction = readResult("reconstruction");
  if (reconstruction) rows.push(["reconstruction: hypernetwork / library parameters", `${reconstruction.compression_ratio}× (${reconstruction.num_loras} oracle LoRAs)`, "—", "—"]);
  const step = readResult("train_step");
  if (step) rows.push(["hypernetwork SFT step / plain LoRA step", `${step.ratio_hypernet_over_lora}×`, `≤ ${step.goal_ratio_max}×`, verdict(step.meets_goal)]);
  const worker = readResult("gpu_worker");
  if (worker) rows.push(...gpuWorkerRows(worker));
  const edge = readResult("edge");
  if (edge) {
    rows.push(["edge cache-hit POST /v1/adapters p50 / p99", `${edge.cache_hit_p50_ms} / ${edge.cache_hit_p99_ms} ms`, `p50 ≤ ${edge.goal_cache_hit_p50_ms} ms`, verdict(edge.cache_hit_p50_ms <= edge.goal_cache_hit_p50_ms)]);
    rows.push(["edge auth-only route p50 (same run)", `${edge.auth_only_p50_ms} ms`, "—", "—"]);
    rows.push(["edge signed-URL download", `${edge.download_mb_s} MB/s`, "—", "—"]);
  }
  const lines = ["| measure | result | goal | |", "|---|---|---|---|", ...rows.map((row) => `| ${row.join(" | ")} |`)];
  const evaluation = readResult("eval_heldout");
  if (evaluation) {
    const smoke = /smoke/i.test(evaluation.run?.label ?? "");
    const averages = heldoutAverages(evaluation);
    lines.push("", `Held-out tasks (${evaluation.tasks.length}), average score by method${smoke ? " — **smoke configuration: shows the pipeline runs, measures nothing**" : ""}: ${averages.join(", ")}.`);
  }
  const gaps = Object.entries(bar?.description_gaps ?? {});
  if (gaps.length) {
    const parts = gaps.map(([name, g]) => `${g.label ?? name} ${withInterval(g.gap_other_points, g.gap_other_ci95_points)} vs other tasks' descriptions, ${withInterval(g.gap_random_points, g.gap_random_ci95_points)} vs random strings`);
    lines.push("", `Matched descriptions minus mismatched ones (held-out average, points; [95% bootstrap interval over items]): ${parts.join("; ")}.`);
  }
  return lines.join("\n");
}

export function renderReadme(readme) {
  const withSummary = readme.replace(SUMMARY, `<!-- results-summary -->\n${resultsSummary()}\n<!-- /results-summary -->`);
  return withSummary.replace(BLOCK, (_, path) => {
    const body = readFileSync(resolve(root, path), "utf8").trimEnd();
    const language = LANGUAGES[extname(path)] ?? "";
    return `<!-- example: ${path} -->\n\`${path}\`:\n\n\`\`\`${language}\n${body}\n\`\`\`\n<!-- /example -->`;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(readmePath, "utf8");
  const wanted = renderReadme(current);
  if (process.argv.includes("--check")) {
    if (current !== wanted) {
      console.error("README.md example blocks differ from docs/examples/: run `node scripts/sync-readme.mjs`");
      process.exit(1);
    }
    console.log("README.md example blocks match docs/examples/");
  } else {
    writeFileSync(readmePath, wanted);
  }
}
