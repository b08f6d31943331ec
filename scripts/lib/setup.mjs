// Idempotent setup steps for `npm start`: each one records a stamp of its inputs
// (lock files, setup scripts, committed weights) and is skipped while the stamp matches.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { runStep } from "./process.mjs";

function stampOf(root, paths) {
  const hash = createHash("sha256");
  for (const path of paths) {
    const full = resolve(root, path);
    hash.update(path);
    hash.update(existsSync(full) ? readFileSync(full) : "missing");
  }
  return hash.digest("hex");
}

function unlessUpToDate(root, name, inputs, action, outputs = []) {
  const stampDir = resolve(root, ".cache/stamps");
  const stampFile = resolve(stampDir, name);
  const stamp = stampOf(root, inputs);
  const outputsPresent = outputs.every((path) => existsSync(resolve(root, path)));
  if (outputsPresent && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    console.log(`=== ${name}: up to date`);
    return;
  }
  console.log(`\n=== ${name}`);
  action();
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stampFile, stamp);
}

export function ensureNodeDependencies(root, env) {
  unlessUpToDate(root, "node-dependencies", ["package-lock.json", "gpu-worker/package-lock.json"], () => {
    runStep("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, env });
    runStep("npm", ["--prefix", "gpu-worker", "ci", "--no-audit", "--no-fund"], { cwd: root, env });
  }, ["node_modules", "gpu-worker/node_modules"]);
}

export function ensurePythonEnvironment(root, env) {
  unlessUpToDate(root, "python-environment", ["scripts/setup-python.sh", "trainer/pyproject.toml"], () => {
    runStep("bash", ["scripts/setup-python.sh"], { cwd: root, env });
  }, [".venv/bin/t2l"]);
}

/**
 * The bundle folders the project ships: every folder (or link to one) under bundles/ with
 * committed weights (hypernet.json), by name. The gpu-worker serves each one it finds exported.
 */
export function shippedBundles(root) {
  const bundles = resolve(root, "bundles");
  const names = readdirSync(bundles)
    .filter((name) => !name.startsWith(".") && statSync(resolve(bundles, name)).isDirectory())
    .filter((name) => existsSync(resolve(bundles, name, "hypernet.json")))
    .sort();
  if (names.length === 0) throw new Error(`${bundles} holds no bundle folder with a hypernet.json; \`t2l publish-weights\` writes one`);
  return names;
}

/** Exports every shipped bundle (ONNX graphs, tokenizer, manifest) from its committed weights. */
export function ensureBundles(root, env) {
  for (const name of shippedBundles(root)) ensureBundle(root, name, env);
}

/** Exports the runnable bundle (ONNX graphs, tokenizer, manifest) from its committed weights. */
function ensureBundle(root, name, env) {
  const dir = `bundles/${name}`;
  // The exporter's graph code is an input too: an export from older code still serves, but
  // e.g. without the batch-invariant encoder pooling the worker batches only the hypernetwork.
  const exporter = ["trainer/src/t2l/encoder.py", "trainer/src/t2l/export/onnx_graphs.py"];
  unlessUpToDate(root, `bundle-${name}`, [`${dir}/hypernet.safetensors`, `${dir}/hypernet.json`, "trainer/pyproject.toml", ...exporter], () => {
    runStep(resolve(root, ".venv/bin/t2l"), ["export-bundle", dir, "-o", dir], { cwd: root, env });
  }, [`${dir}/manifest.json`, `${dir}/encoder.onnx`, `${dir}/hypernet.onnx`]);
}
