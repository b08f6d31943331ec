/**
 * A loaded bundle: tokenizer + encoder graph + hypernetwork graph. The worker does no model
 * math of its own; it only feeds the graphs and slices their outputs.
 *
 * Determinism: a description's bytes must not depend on its batch mates. A graph runs several
 * descriptions in one call only when the load-time probe (batchInvariance.ts) found its rows
 * byte-identical alone and batched; otherwise each description runs alone. A batched encoder
 * pads each row to a length set by its own token count (tokenBuckets.ts), so a row sees the same
 * input alone and batched. The concurrency test and the benchmark check the bytes end to end.
 */
import * as ort from "onnxruntime-node";

import type { LoraModule, Manifest } from "./manifest.js";
import { bundleId } from "./manifest.js";
import type { TextTokenizer } from "./textTokenizer.js";
import { type PaddedRun, paddedRuns } from "./tokenBuckets.js";

export interface ModuleWeights {
  /** (L, r, in_features) row-major. */
  loraA: Float32Array;
  /** (L, out_features, r) row-major. */
  loraB: Float32Array;
}

/** One description's generated LoRA: module name -> weights for every layer. */
export type GeneratedLora = Map<string, ModuleWeights>;

export interface BatchTiming {
  /** Time inside ONNX Runtime `run` calls for the whole batch. */
  ortMs: number;
}

/** Which graphs may run several descriptions in one call (see batchInvariance.ts). */
export interface BatchingModes {
  encoder: boolean;
  hypernet: boolean;
}

export class Bundle {
  readonly id: string;
  /** Off until the load-time probe shows batching leaves every row's bytes unchanged. */
  batching: BatchingModes = { encoder: false, hypernet: false };

  constructor(
    readonly manifest: Manifest,
    readonly directory: string,
    readonly tokenizer: TextTokenizer,
    readonly encoder: ort.InferenceSession,
    readonly hypernet: ort.InferenceSession,
    readonly provider: "cpu" | "cuda",
  ) {
    this.id = bundleId(manifest);
  }

  get modules(): readonly LoraModule[] {
    return this.manifest.lora.modules;
  }

  /** Task embeddings (B, E) for normalised descriptions. */
  async embed(descriptions: readonly string[], timing: BatchTiming = { ortMs: 0 }): Promise<Float32Array> {
    const tokenRows = descriptions.map((text) => this.tokenizer.encode(text));
    const dim = this.manifest.encoder.dim;
    const embeddings = new Float32Array(tokenRows.length * dim);
    if (this.batching.encoder) {
      for (const run of paddedRuns(tokenRows, this.manifest.encoder.max_length)) {
        const output = await this.encodePadded(run, timing);
        run.rows.forEach((row, i) => embeddings.set(output.subarray(i * dim, (i + 1) * dim), row * dim));
      }
    } else {
      // Each row alone and unpadded: the graph's answer for a row would depend on its batch.
      for (const [row, ids] of tokenRows.entries()) {
        const run: PaddedRun = {
          rows: [row],
          length: ids.length,
          inputIds: BigInt64Array.from(ids, (id) => BigInt(id)),
          attentionMask: new BigInt64Array(ids.length).fill(1n),
        };
        embeddings.set(await this.encodePadded(run, timing), row * dim);
      }
    }
    return embeddings;
  }

  /** One encoder call: (rows, length) token ids -> (rows, E) embeddings. */
  async encodePadded(run: PaddedRun, timing: BatchTiming = { ortMs: 0 }): Promise<Float32Array> {
    const dims = [run.rows.length, run.length];
    const started = performance.now();
    const output = await this.encoder.run({
      input_ids: new ort.Tensor("int64", run.inputIds, dims),
      attention_mask: new ort.Tensor("int64", run.attentionMask, dims),
    });
    timing.ortMs += performance.now() - started;
    return output.embedding!.data as Float32Array;
  }

  /** LoRA weights for a batch of task embeddings (B, E). */
  async hypernetForward(embeddings: Float32Array, timing: BatchTiming = { ortMs: 0 }): Promise<GeneratedLora[]> {
    const dim = this.manifest.encoder.dim;
    const batch = embeddings.length / dim;
    if (batch > 1 && !this.batching.hypernet) {
      const results: GeneratedLora[] = [];
      for (let row = 0; row < batch; row += 1) {
        results.push(...(await this.hypernetForward(embeddings.slice(row * dim, (row + 1) * dim), timing)));
      }
      return results;
    }
    const output = await this.runHypernet(embeddings, timing);

    const layers = this.manifest.base_model.num_layers;
    const r = this.manifest.lora.r;
    const results: GeneratedLora[] = Array.from({ length: batch }, () => new Map());
    for (const module of this.modules) {
      const loraA = output[`lora_A.${module.name}`]!;
      const loraB = output[`lora_B.${module.name}`]!;
      expectDims(loraA, [batch, layers, r, module.in_features], `lora_A.${module.name}`);
      expectDims(loraB, [batch, layers, module.out_features, r], `lora_B.${module.name}`);
      const sizeA = layers * r * module.in_features;
      const sizeB = layers * module.out_features * r;
      const dataA = loraA.data as Float32Array;
      const dataB = loraB.data as Float32Array;
      results.forEach((result, b) =>
        result.set(module.name, {
          loraA: dataA.subarray(b * sizeA, (b + 1) * sizeA),
          loraB: dataB.subarray(b * sizeB, (b + 1) * sizeB),
        }),
      );
    }
    return results;
  }

  /** One hypernetwork call on (B, E) embeddings: its raw outputs by name. */
  async runHypernet(embeddings: Float32Array, timing: BatchTiming = { ortMs: 0 }): Promise<ort.InferenceSession.ReturnType> {
    const dim = this.manifest.encoder.dim;
    const started = performance.now();
    const output = await this.hypernet.run({ task_embedding: new ort.Tensor("float32", embeddings, [embeddings.length / dim, dim]) });
    timing.ortMs += performance.now() - started;
    return output;
  }

  async generate(descriptions: readonly string[], timing: BatchTiming = { ortMs: 0 }): Promise<GeneratedLora[]> {
    return this.hypernetForward(await this.embed(descriptions, timing), timing);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.encoder.release(), this.hypernet.release()]);
  }
}

function expectDims(tensor: ort.Tensor, expected: readonly number[], name: string): void {
  if (tensor.type !== "float32" || tensor.dims.length !== expected.length || tensor.dims.some((d, i) => d !== expected[i])) {
    throw new Error(`hypernet output ${name} is ${tensor.type} [${tensor.dims}], manifest says float32 [${expected}]`);
  }
}
