/**
 * Cross-language round trip: worker bytes -> Python `safetensors` + `PeftModel.from_pretrained`
 * on the tiny base model -> logits equal to the trainer's in-memory LoRA path.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { StartedWorker } from "../src/worker.js";
import type { BundlesResponse } from "../src/routes/bundles.js";
import { descriptionSha256, normalizeDescription } from "../src/normalize.js";
import { FIXTURES_DIR, PYTHON, WORKER_ROOT } from "./support/paths.js";
import { call, generate, startTestWorker } from "./support/worker.js";

const DESCRIPTION = "Rewrite  sentences\tin plain English for young readers.";
// float32: ORT vs PyTorch reassociation only. float16: both sides hold identical halves except
// where an ORT/PyTorch difference straddles a rounding boundary (one half-ulp, ~5e-4 here).
const BOUNDS = {
  float32: { weights: 1e-5, logits: 1e-4 },
  float16: { weights: 1e-3, logits: 1e-3 },
} as const;

let worker: StartedWorker;
let scratch: string;
beforeAll(async () => {
  worker = await startTestWorker();
  scratch = await mkdtemp(join(tmpdir(), "t2l-peft-"));
});
afterAll(async () => {
  await worker?.shutdown();
  await rm(scratch, { recursive: true, force: true });
});

interface CheckResult {
  logits_max_abs_error: number;
  weights_max_abs_error: number;
  lora_effect: number;
  metadata: Record<string, string>;
}

/** Async, so the worker under test keeps serving while Python runs. */
function runPython(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      args,
      { cwd: WORKER_ROOT, env: { ...process.env, HF_HUB_OFFLINE: "1", TRANSFORMERS_VERBOSITY: "error", OMP_NUM_THREADS: "1" } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

async function writeAdapter(dtype: "float16" | "float32"): Promise<string> {
  const response = await generate(worker, { description: DESCRIPTION, dtype });
  expect(response.status).toBe(200);
  const { bundles } = (await (await call(worker, "/v1/bundles")).json()) as BundlesResponse;
  const adapterDir = join(scratch, dtype);
  await mkdir(adapterDir);
  await writeFile(join(adapterDir, "adapter_model.safetensors"), Buffer.from(await response.arrayBuffer()));
  await writeFile(join(adapterDir, "adapter_config.json"), JSON.stringify(bundles[0]!.adapter_config));
  return adapterDir;
}

describe("PEFT loads worker adapters (Python side)", () => {
  it("float32 and float16 adapters reproduce the trainer's in-memory logits", async () => {
    const dirs = { float32: await writeAdapter("float32"), float16: await writeAdapter("float16") };
    // One Python process for both: importing torch + transformers + peft dominates the cost.
    const stdout = await runPython([
      "test/fixtures/check_peft_adapter.py",
      FIXTURES_DIR,
      DESCRIPTION,
      ...Object.entries(dirs).map(([dtype, dir]) => `${dtype}=${dir}`),
    ]);
    const results = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<keyof typeof BOUNDS, CheckResult>;

    for (const dtype of ["float32", "float16"] as const) {
      const result = results[dtype];
      expect(result.lora_effect, dtype).toBeGreaterThan(1e-3); // the adapter changes the model, so equality means something
      expect(result.weights_max_abs_error, dtype).toBeLessThanOrEqual(BOUNDS[dtype].weights);
      expect(result.logits_max_abs_error, dtype).toBeLessThanOrEqual(BOUNDS[dtype].logits);
      expect(result.metadata).toMatchObject({
        format: "pt",
        bundle: "tiny-t2l@1.0.0",
        description_sha256: descriptionSha256(normalizeDescription(DESCRIPTION)),
      });
    }
  });
});
