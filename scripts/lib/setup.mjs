// Idempotent setup steps for `npm start`: each one records a stamp of its inputs
// (lock files, setup scripts, committed weights) and is skipped while the stamp matches.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

/** Exports the runnable bundle (ONNX graphs, tokenizer, manifest) from its committed weights. */
export function ensureBundle(root, name, env) {
  const dir = `bundles/${name}`;
  // The exporter's graph code is an input too: an export from older code still serves, but
  // e.g. without the batch-invariant encoder pooling the worker batches only the hypernetwork.
  const exporter = ["trainer/src/t2l/encoder.py", "trainer/src/t2l/export/onnx_graphs.py"];
  unlessUpToDate(root, `bundle-${name}`, [`${dir}/hypernet.safetensors`, `${dir}/hypernet.json`, "trainer/pyproject.toml", ...exporter], () => {
    runStep(resolve(root, ".venv/bin/t2l"), ["export-bundle", dir, "-o", dir], { cwd: root, env });
  }, [`${dir}/manifest.json`, `${dir}/encoder.onnx`, `${dir}/hypernet.onnx`]);
}
