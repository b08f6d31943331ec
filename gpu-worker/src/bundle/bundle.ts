/**
 * A loaded bundle: tokenizer + encoder graph + hypernetwork graph. The worker does no model
 * math of its own; it only feeds the graphs and slices their outputs.
 *
 * Determinism: a description's bytes must not depend on its batch mates. The encoder runs each
 * description on its own, unpadded (ONNX Runtime's encoder kernels differ in the last bits across
 * batch sizes), and only the hypernetwork runs batched: its ops are row-independent over the
 * batch axis. The concurrency test and the benchmark check the bytes.
 */
import * as ort from "onnxruntime-node";

import type { LoraModule, Manifest } from "./manifest.js";
import { bundleId } from "./manifest.js";
import type { TextTokenizer } from "./textTokenizer.js";

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

export class Bundle {
  readonly id: string;

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

  /** Task embeddings (B, E) for normalised descriptions, each encoded alone and unpadded. */
  async embed(descriptions: readonly string[], timing: BatchTiming = { ortMs: 0 }): Promise<Float32Array> {
    const dim = this.manifest.encoder.dim;
    const embeddings = new Float32Array(descriptions.length * dim);
    for (const [index, text] of descriptions.entries()) {
      const ids = this.tokenizer.encode(text);
      const inputIds = BigInt64Array.from(ids, (id) => BigInt(id));
      const attentionMask = new BigInt64Array(ids.length).fill(1n);
      const started = performance.now();
      const output = await this.encoder.run({
        input_ids: new ort.Tensor("int64", inputIds, [1, ids.length]),
        attention_mask: new ort.Tensor("int64", attentionMask, [1, ids.length]),
      });
      timing.ortMs += performance.now() - started;
      embeddings.set(output.embedding!.data as Float32Array, index * dim);
    }
    return embeddings;
  }

  /** LoRA weights for a batch of task embeddings (B, E). */
  async hypernetForward(embeddings: Float32Array, timing: BatchTiming = { ortMs: 0 }): Promise<GeneratedLora[]> {
    const dim = this.manifest.encoder.dim;
    const batch = embeddings.length / dim;
    const started = performance.now();
    const output = await this.hypernet.run({ task_embedding: new ort.Tensor("float32", embeddings, [batch, dim]) });
    timing.ortMs += performance.now() - started;

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
