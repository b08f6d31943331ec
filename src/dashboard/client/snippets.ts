// Copy-paste code that loads an adapter. The snippets fetch the adapter record
// with a key read from the environment, so they never embed a secret and keep
// working after the signed file URLs on this page expire.

export interface SnippetInput {
  apiOrigin: string;
  adapterId: string;
}

function downloadPreamble({ apiOrigin, adapterId }: SnippetInput): string {
  return `import json, os, pathlib, urllib.request

API = ${pyString(apiOrigin)}
ADAPTER_ID = ${pyString(adapterId)}

# Fetch the adapter record (fresh signed file URLs), then the two PEFT files.
request = urllib.request.Request(
    f"{API}/v1/adapters/{ADAPTER_ID}",
    headers={"Authorization": f"Bearer {os.environ['T2L_API_KEY']}"},
)
adapter = json.load(urllib.request.urlopen(request))
adapter_dir = pathlib.Path("adapters") / ADAPTER_ID
adapter_dir.mkdir(parents=True, exist_ok=True)
for name, url in adapter["files"].items():
    urllib.request.urlretrieve(url, adapter_dir / name)
config = json.loads((adapter_dir / "adapter_config.json").read_text())
`;
}

/** transformers + PEFT: `PeftModel.from_pretrained` on the downloaded folder. */
export function peftSnippet(input: SnippetInput): string {
  return `${downloadPreamble(input)}
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

base_id = config["base_model_name_or_path"]
tokenizer = AutoTokenizer.from_pretrained(base_id)
model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_id), adapter_dir)
`;
}

/** vLLM: the folder as a `LoRARequest` on a LoRA-enabled engine. */
export function vllmSnippet(input: SnippetInput): string {
  return `${downloadPreamble(input)}
from vllm import LLM, SamplingParams
from vllm.lora.request import LoRARequest

llm = LLM(model=config["base_model_name_or_path"], enable_lora=True, max_lora_rank=max(16, config["r"]))
lora = LoRARequest(ADAPTER_ID, 1, str(adapter_dir))
outputs = llm.generate(["Your prompt here"], SamplingParams(max_tokens=256), lora_request=lora)
print(outputs[0].outputs[0].text)
`;
}

/** A Python string literal; JSON escaping is a valid subset for printable text. */
function pyString(value: string): string {
  return JSON.stringify(value);
}
