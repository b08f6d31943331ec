import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS } from "./test/node/test-secrets.ts";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            GPU_WORKER_URL: inject("gpuWorkerUrl"),
            GPU_WORKER_TIMEOUT_MS: "5000",
            TEST_MIGRATIONS: migrations,
          },
        },
      })),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/browser/**", "test/e2e/**", "test/node/**"],
      globalSetup: ["./test/node/global-setup.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
      testTimeout: 20_000,
      // Each file gets its own workerd runner; two at a time halves the suite even on 2 cores.
      maxWorkers: Math.max(2, availableParallelism() - 1),
    },
  };
});
