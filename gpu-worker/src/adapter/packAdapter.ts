/** Contract 2: one description's generated weights -> PEFT `adapter_model.safetensors` bytes. */
import type { Bundle, GeneratedLora } from "../bundle/bundle.js";
import { NORMALIZATION_RULE } from "../normalize.js";
import type { Float16Cast } from "./float16Cast.js";
import { encodeSafetensors, type TensorDtype, type TensorSource } from "./safetensors.js";

/**
 * With `cast`, float16 files convert every module's weights for all layers in one ONNX Runtime
 * call; without it, the JavaScript converter does it tensor by tensor (same bits).
 */
export async function packAdapter(
  bundle: Bundle,
  lora: GeneratedLora,
  dtype: TensorDtype,
  descriptionSha256: string,
  cast?: Float16Cast,
): Promise<Buffer> {
  const converted = new Map<string, { loraA: Float32Array | Uint16Array; loraB: Float32Array | Uint16Array }>(lora);
  if (dtype === "float16" && cast) {
    const names = [...lora.keys()];
    const halves = await cast.convert(names.flatMap((name) => [lora.get(name)!.loraA, lora.get(name)!.loraB]));
    names.forEach((name, i) => converted.set(name, { loraA: halves[2 * i]!, loraB: halves[2 * i + 1]! }));
  }
  const r = bundle.manifest.lora.r;
  const tensors: TensorSource[] = [];
  for (let layer = 0; layer < bundle.manifest.base_model.num_layers; layer += 1) {
    for (const module of bundle.modules) {
      const weights = converted.get(module.name)!;
      const prefix = `base_model.model.${module.path.replaceAll("{layer}", String(layer))}`;
      const sizeA = r * module.in_features;
      const sizeB = module.out_features * r;
      tensors.push({ name: `${prefix}.lora_A.weight`, shape: [r, module.in_features], data: weights.loraA.subarray(layer * sizeA, (layer + 1) * sizeA) });
      tensors.push({ name: `${prefix}.lora_B.weight`, shape: [module.out_features, r], data: weights.loraB.subarray(layer * sizeB, (layer + 1) * sizeB) });
    }
  }
  return encodeSafetensors(tensors, dtype, {
    format: "pt",
    bundle: bundle.id,
    description_sha256: descriptionSha256,
    normalization: NORMALIZATION_RULE,
  });
}
