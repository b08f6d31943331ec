/** Contract 2: one description's generated weights -> PEFT `adapter_model.safetensors` bytes. */
import type { Bundle, GeneratedLora } from "../bundle/bundle.js";
import { NORMALIZATION_RULE } from "../normalize.js";
import { encodeSafetensors, type TensorDtype, type TensorSource } from "./safetensors.js";

export function packAdapter(bundle: Bundle, lora: GeneratedLora, dtype: TensorDtype, descriptionSha256: string): Buffer {
  const r = bundle.manifest.lora.r;
  const tensors: TensorSource[] = [];
  for (let layer = 0; layer < bundle.manifest.base_model.num_layers; layer += 1) {
    for (const module of bundle.modules) {
      const weights = lora.get(module.name)!;
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
