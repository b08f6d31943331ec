// One lint for every TypeScript and JavaScript file that runs outside Python:
// type-aware strict rules for the Worker, its tests and the dashboard client; the
// recommended rules for the plain Node scripts (start, test runners, e2e, bench).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const SCRIPTS = ["scripts/**/*.mjs", "test/e2e/**/*.mjs", "test/docs/**/*.mjs", "test/start/**/*.mjs", "test/browser/**/*.mjs", "bench/**/*.mjs", "src/dashboard/build-assets.mjs"];

export default tseslint.config(
  { ignores: ["node_modules/", ".venv/", ".wrangler/", "test-results/", "runs/", "gpu-worker/", "trainer/", "dist/", ".cache/", "src/dashboard/assets.generated.ts"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.json", "./tsconfig.node.json", "./src/dashboard/client/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      eqeqeq: "error",
      "no-console": ["error", { allow: ["error", "warn", "log"] }],
    },
  },
  {
    files: [...SCRIPTS, "eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
    rules: { ...tseslint.configs.disableTypeChecked.rules, eqeqeq: "error" },
  },
  // Browser tests hand callbacks to page.evaluate, which run in the page.
  { files: ["test/browser/**/*.mjs"], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
);
