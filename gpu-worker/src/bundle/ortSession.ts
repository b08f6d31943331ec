/** ONNX Runtime session creation: CUDA when the runtime has it (and it works), else CPU. */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import * as ort from "onnxruntime-node";

export type ProviderChoice = "auto" | "cpu" | "cuda";

export interface OrtOptions {
  providers: ProviderChoice;
  /** 0 lets ONNX Runtime pick (one thread per physical core). */
  intraOpThreads: number;
  /**
   * Whether idle intra-op threads busy-wait for work. Off by default: on a shared or
   * oversubscribed CPU spinning threads steal the cores the run needs (several times slower
   * on a busy 2-core box); a dedicated machine may gain a little latency by turning it on.
   */
  allowSpinning?: boolean;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: "cpu" | "cuda";
}

/**
 * The npm package is built with CUDA support but ships without the CUDA provider library
 * (its postinstall would download it; we skip that), so also look for the library itself.
 */
export function cudaAvailable(): boolean {
  if (!ort.listSupportedBackends().some((backend) => backend.name === "cuda")) return false;
  const binding = dirname(createRequire(import.meta.url).resolve("onnxruntime-node"));
  const binDir = join(binding, "..", "bin", "napi-v6", process.platform, process.arch);
  return existsSync(join(binDir, "libonnxruntime_providers_cuda.so"));
}

export async function openSession(modelPath: string, options: OrtOptions): Promise<OpenedSession> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: "all",
    intraOpNumThreads: options.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    // Shapes change with every batch; a pattern cache would only grow.
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? "1" : "0" } } },
  };
  const wantCuda = options.providers === "cuda" || (options.providers === "auto" && cudaAvailable());
  if (wantCuda) {
    try {
      const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ["cuda", "cpu"] });
      return { session, provider: "cuda" };
    } catch (error) {
      if (options.providers === "cuda") throw error;
      console.warn(`CUDA execution provider unavailable for ${modelPath}, using CPU: ${(error as Error).message}`);
    }
  }
  const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ["cpu"] });
  return { session, provider: "cpu" };
}
