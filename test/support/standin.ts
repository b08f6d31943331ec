import { env } from "cloudflare:workers";

interface StandinStats {
  generateCalls: Record<string, number>;
  bundleCalls: number;
  rejectedSignatures: number;
}

/** How many signed /v1/generate calls the gpu-worker stand-in has served for a description. */
export async function generateCalls(description: string): Promise<number> {
  const response = await fetch(`${env.GPU_WORKER_URL}/__standin/stats`);
  const stats = await response.json<StandinStats>();
  return stats.generateCalls[description] ?? 0;
}

/** A description no other test uses (the stand-in counts calls per description). */
export function uniqueDescription(text = "Summarise support tickets in one sentence", marker = ""): string {
  return `${text} ${marker} #${crypto.randomUUID()}`.replace(/\s+/g, " ").trim();
}

/** Polls until `check` stops throwing (for effects written with waitUntil). */
export async function eventually(check: () => Promise<void>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Parses a safetensors file's header (u64 little-endian length, then JSON). */
export function safetensorsHeader(bytes: Uint8Array): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & {
  __metadata__: Record<string, string>;
} {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as never;
}
