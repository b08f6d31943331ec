// Keeps README.md's example blocks identical to the files the end-to-end test runs:
// every `<!-- example: PATH -->` … `<!-- /example -->` block holds PATH's text verbatim.
//   node scripts/sync-readme.mjs          rewrite the blocks
//   node scripts/sync-readme.mjs --check  exit 1 (naming the block) if any is stale
import { readFileSync, writeFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const readmePath = resolve(root, "README.md");
const LANGUAGES = { ".sh": "bash", ".ts": "ts", ".py": "python", ".mjs": "js" };
const BLOCK = /<!-- example: (\S+) -->\n[\s\S]*?<!-- \/example -->/g;

export function renderReadme(readme) {
  return readme.replace(BLOCK, (_, path) => {
    const body = readFileSync(resolve(root, path), "utf8").trimEnd();
    const language = LANGUAGES[extname(path)] ?? "";
    return `<!-- example: ${path} -->\n\`${path}\`:\n\n\`\`\`${language}\n${body}\n\`\`\`\n<!-- /example -->`;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(readmePath, "utf8");
  const wanted = renderReadme(current);
  if (process.argv.includes("--check")) {
    if (current !== wanted) {
      console.error("README.md example blocks differ from docs/examples/: run `node scripts/sync-readme.mjs`");
      process.exit(1);
    }
    console.log("README.md example blocks match docs/examples/");
  } else {
    writeFileSync(readmePath, wanted);
  }
}
