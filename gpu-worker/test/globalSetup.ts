/**
 * Builds (or reuses) the Python-exported test bundle before any test runs. CI creates the venv
 * before `npm test`; T2L_PYTHON overrides the interpreter.
 */
import { spawnSync } from "node:child_process";

import { FIXTURES_DIR, PYTHON } from "./support/paths.js";

export default function setup(): void {
  const result = spawnSync(PYTHON, ["test/fixtures/build_test_bundles.py", FIXTURES_DIR], {
    stdio: "inherit",
    env: {
      ...process.env,
      HF_HUB_OFFLINE: "1",
      TRANSFORMERS_OFFLINE: "1",
      HF_HUB_DISABLE_PROGRESS_BARS: "1",
      TRANSFORMERS_VERBOSITY: "error",
      OMP_NUM_THREADS: "1",
    },
  });
  if (result.status !== 0) {
    throw new Error(`building test bundles failed (${PYTHON} exited ${result.status ?? result.error?.message})`);
  }
}
