// Generate (or fetch the cached) adapter for a description with fetch, then download its files.
// Run: npx tsx docs/examples/generate.ts "Classify the sentiment of a movie review."
import { mkdir, writeFile } from "node:fs/promises";

interface Adapter {
  id: string;
  status: "pending" | "ready";
  cached: boolean;
  sha256: string | null;
  bytes: number | null;
  files: Partial<Record<"adapter_config.json" | "adapter_model.safetensors", string>>;
}

const baseUrl = process.env.T2L_URL ?? "http://127.0.0.1:8787";
const apiKey = process.env.T2L_API_KEY;
if (!apiKey) throw new Error("set T2L_API_KEY");
const description = process.argv[2] ?? "Classify the sentiment of a movie review as positive or negative.";

const response = await fetch(`${baseUrl}/v1/adapters`, {
  method: "POST",
  headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
  body: JSON.stringify({ description }),
});
if (!response.ok) {
  // Errors are application/problem+json with a stable `code`.
  const problem = (await response.json()) as { code: string; detail?: string };
  throw new Error(`${response.status} ${problem.code}: ${problem.detail ?? ""}`);
}
const adapter = (await response.json()) as Adapter;
console.log(JSON.stringify({ id: adapter.id, cached: adapter.cached, sha256: adapter.sha256, bytes: adapter.bytes }));

await mkdir("my-adapter", { recursive: true });
for (const [name, url] of Object.entries(adapter.files)) {
  const file = await fetch(url);
  if (!file.ok) throw new Error(`downloading ${name}: ${file.status}`);
  await writeFile(`my-adapter/${name}`, new Uint8Array(await file.arrayBuffer()));
}
