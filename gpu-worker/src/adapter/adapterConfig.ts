/**
 * Contract 2: the `adapter_config.json` that goes with every adapter a bundle produces; the same
 * fields as the trainer's `t2l.peft_io.adapter_config`.
 */
import type { Manifest } from "../bundle/manifest.js";

export interface AdapterConfig {
  peft_type: "LORA";
  task_type: "CAUSAL_LM";
  base_model_name_or_path: string;
  revision: string | null;
  r: number;
  lora_alpha: number;
  use_rslora: boolean;
  target_modules: string[];
  lora_dropout: 0;
  bias: "none";
  fan_in_fan_out: boolean;
  use_dora: false;
  inference_mode: true;
  modules_to_save: null;
}

export function adapterConfigFor(manifest: Manifest): AdapterConfig {
  return {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: manifest.base_model.hf_id,
    revision: manifest.base_model.revision ?? null,
    r: manifest.lora.r,
    lora_alpha: manifest.lora.lora_alpha,
    use_rslora: manifest.lora.use_rslora,
    target_modules: manifest.lora.modules.map((m) => m.name).sort(),
    lora_dropout: 0,
    bias: "none",
    fan_in_fan_out: manifest.lora.modules.some((m) => m.fan_in_fan_out),
    use_dora: false,
    inference_mode: true,
    modules_to_save: null,
  };
}
