/** Assembles a worker: bundles -> registry -> batcher -> metrics -> HTTP server, listening. */
import { endianness } from "node:os";

import { Float16Cast } from "./adapter/float16Cast.js";
import { MicroBatcher } from "./batcher.js";
import type { GeneratedLora } from "./bundle/bundle.js";
import { loadBundles } from "./bundle/loadBundles.js";
import { BundleRegistry } from "./bundle/registry.js";
import type { WorkerConfig } from "./config.js";
import type { WorkerServices } from "./http/route.js";
import { WorkerMetrics } from "./metrics.js";
import { createWorkerServer, type WorkerServer } from "./server.js";

export interface StartedWorker extends WorkerServer {
  services: WorkerServices;
  url: string;
}

export async function startWorker(config: WorkerConfig): Promise<StartedWorker> {
  // safetensors is little-endian and tensors are copied byte-for-byte from typed arrays.
  if (endianness() !== "LE") throw new Error("gpu-worker needs a little-endian host");
  const bundles = await loadBundles(config.bundlesDir, {
    providers: config.providers,
    intraOpThreads: config.intraOpThreads,
    allowSpinning: config.allowSpinning,
  });
  const registry = new BundleRegistry(bundles, config.defaultBundle);
  const metrics = new WorkerMetrics();

  const batcher = new MicroBatcher<string, GeneratedLora>(
    async (bundleId, descriptions) => {
      const timing = { ortMs: 0 };
      const outputs = await registry.resolve(bundleId).generate(descriptions, timing);
      metrics.ortSeconds.observe(timing.ortMs / 1000);
      return outputs;
    },
    { maxBatchSize: config.maxBatchSize, maxWaitMs: config.maxBatchWaitMs, maxQueue: config.maxQueue },
    { batchStarted: (size) => metrics.batchSize.observe(size), queueDepthChanged: (depth) => metrics.queueDepth.set(depth) },
  );

  const float16 = new Float16Cast();
  const services: WorkerServices = { config, registry, batcher, metrics, float16, lifecycle: { shuttingDown: false } };
  const worker = createWorkerServer(services);
  await new Promise<void>((resolve, reject) => {
    worker.server.once("error", reject);
    worker.server.listen(config.port, config.host, () => resolve());
  });
  const address = worker.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const shutdown = async () => {
    await worker.shutdown();
    await Promise.all([...bundles.map((b) => b.dispose()), float16.dispose()]);
  };
  return { ...worker, shutdown, services, url: `http://${config.host}:${port}` };
}
