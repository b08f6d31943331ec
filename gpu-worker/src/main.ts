/** Entry point: configuration from the environment, start, and drain on SIGTERM/SIGINT. */
import { loadConfig } from "./config.js";
import { startWorker } from "./worker.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const worker = await startWorker(config);
  const providers = [...new Set(worker.services.registry.all.map((b) => b.provider))].join(",");
  console.log(`gpu-worker listening on ${worker.url} with ${worker.services.registry.ids.join(", ")} (${providers})`);
  const stop = (signal: string) => {
    console.log(`${signal}: draining ${worker.services.batcher.depth} queued requests`);
    worker.shutdown().then(
      () => process.exit(0),
      (error) => {
        console.error("shutdown failed", error);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((error: Error) => {
  console.error(`gpu-worker failed to start: ${error.message}`);
  process.exit(1);
});
