/**
 * Loads every bundle under a directory (its sub-folders and links to folders) at start. A bundle with an unknown schema, an invalid
 * manifest, a missing file or a file whose sha256 differs from the manifest is refused with an
 * error naming the file; the worker then does not start, so it never serves a half-trusted bundle.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

import { probeBatchInvariance } from "./batchInvariance.js";
import { Bundle } from "./bundle.js";
import { BUNDLE_SCHEMA, Manifest, REQUIRED_FILES } from "./manifest.js";
import { type OrtOptions, openSession } from "./ortSession.js";
import { TextTokenizer } from "./textTokenizer.js";

export class BundleLoadError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "BundleLoadError";
  }
}

export async function loadBundles(bundlesDir: string, ort: OrtOptions): Promise<Bundle[]> {
  const entries = await readdir(bundlesDir).catch((error: Error) => {
    throw new BundleLoadError(bundlesDir, `cannot read the bundles directory (${error.message})`);
  });
  const names = entries.filter((name) => !name.startsWith(".")).sort();
  const bundles: Bundle[] = [];
  for (const name of names) {
    const directory = join(bundlesDir, name);
    if (!(await isDirectory(directory))) continue;
    // Directories without a manifest (e.g. a bundle whose setup step has not run) are skipped, not refused.
    if (!(await exists(join(directory, "manifest.json")))) continue;
    bundles.push(await loadBundle(directory, ort));
  }
  if (bundles.length === 0) throw new BundleLoadError(bundlesDir, "no bundle with a manifest.json found");
  const ids = new Set<string>();
  for (const bundle of bundles) {
    if (ids.has(bundle.id)) throw new BundleLoadError(join(bundle.directory, "manifest.json"), `duplicate bundle ${bundle.id}`);
    ids.add(bundle.id);
  }
  return bundles;
}

export async function loadBundle(directory: string, ort: OrtOptions): Promise<Bundle> {
  const manifestPath = join(directory, "manifest.json");
  const manifest = await readManifest(manifestPath);

  for (const required of REQUIRED_FILES) {
    if (!(required in manifest.files)) throw new BundleLoadError(manifestPath, `files does not list ${required}`);
  }
  for (const [file, expected] of Object.entries(manifest.files)) {
    const path = join(directory, file);
    const actual = await sha256File(path).catch((error: Error) => {
      throw new BundleLoadError(path, `cannot read listed file (${error.message})`);
    });
    if (actual !== expected) throw new BundleLoadError(path, `sha256 ${actual} does not match manifest ${expected}`);
  }

  const tokenizerPath = join(directory, "tokenizer.json");
  let tokenizer: TextTokenizer;
  try {
    tokenizer = new TextTokenizer(JSON.parse(await readFile(tokenizerPath, "utf8")), manifest.encoder.max_length);
  } catch (error) {
    throw new BundleLoadError(tokenizerPath, `unusable tokenizer (${(error as Error).message})`);
  }

  const encoder = await openGraph(join(directory, "encoder.onnx"), ort, ["input_ids", "attention_mask"], ["embedding"]);
  const hypernetOutputs = manifest.lora.modules.flatMap((m) => [`lora_A.${m.name}`, `lora_B.${m.name}`]);
  const hypernet = await openGraph(join(directory, "hypernet.onnx"), ort, ["task_embedding"], hypernetOutputs);
  const bundle = new Bundle(manifest, directory, tokenizer, encoder.session, hypernet.session, hypernet.provider);

  // One real generation proves the graphs agree with the manifest's dimensions before serving.
  try {
    await bundle.generate(["warm-up"]);
  } catch (error) {
    await bundle.dispose();
    throw new BundleLoadError(join(directory, "hypernet.onnx"), `does not match the manifest (${(error as Error).message})`);
  }
  bundle.batching = await probeBatchInvariance(bundle);
  for (const [graph, batched] of Object.entries(bundle.batching)) {
    if (!batched) console.warn(`${bundle.id}: ${graph}.onnx rows change with batch size here; it runs one description per call`);
  }
  return bundle;
}

async function readManifest(path: string): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new BundleLoadError(path, `not readable JSON (${(error as Error).message})`);
  }
  const schema = (raw as { schema?: unknown } | null)?.schema;
  if (schema !== BUNDLE_SCHEMA) {
    throw new BundleLoadError(path, `unknown schema ${JSON.stringify(schema)}, this worker reads ${BUNDLE_SCHEMA}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new BundleLoadError(path, `invalid manifest (${issues})`);
  }
  return parsed.data;
}

async function openGraph(path: string, ort: OrtOptions, inputs: readonly string[], outputs: readonly string[]) {
  let opened: Awaited<ReturnType<typeof openSession>>;
  try {
    opened = await openSession(path, ort);
  } catch (error) {
    throw new BundleLoadError(path, `ONNX Runtime cannot load it (${(error as Error).message})`);
  }
  const missing = [
    ...inputs.filter((n) => !opened.session.inputNames.includes(n)).map((n) => `input ${n}`),
    ...outputs.filter((n) => !opened.session.outputNames.includes(n)).map((n) => `output ${n}`),
  ];
  if (missing.length > 0) {
    await opened.session.release();
    throw new BundleLoadError(path, `graph lacks ${missing.join(", ")}`);
  }
  return opened;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * Follows symlinks: mounted volumes (Kubernetes ConfigMaps and projected volumes, Docker
 * bind mounts of a release folder) often present a bundle as a link to a directory. A link
 * whose target is gone is refused rather than skipped, since it most likely is a bundle the
 * operator meant to serve.
 */
async function isDirectory(path: string): Promise<boolean> {
  const target = await stat(path).catch((error: Error) => {
    throw new BundleLoadError(path, `cannot follow this entry to its target (${error.message})`);
  });
  return target.isDirectory();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
