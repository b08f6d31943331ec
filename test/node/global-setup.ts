import type { TestProject } from "vitest/node";
import { startGpuWorkerStandin } from "./gpu-worker-standin";
import { TEST_SECRETS } from "./test-secrets";

declare module "vitest" {
  export interface ProvidedContext {
    gpuWorkerUrl: string;
  }
}

/** Starts the gpu-worker stand-in once for the whole run; the Worker reaches it over real HTTP. */
export default async function setup(project: TestProject) {
  const standin = await startGpuWorkerStandin({ secret: TEST_SECRETS.GPU_WORKER_SECRET });
  project.provide("gpuWorkerUrl", standin.url);
  return () => standin.close();
}
