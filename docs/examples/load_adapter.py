"""Fetch an adapter's files from the API and load them onto the base model with PEFT.

Run: .venv/bin/python docs/examples/load_adapter.py ADAPTER_ID
(T2L_BASE_MODEL picks another base model folder or hub id than SmolLM2-135M-Instruct.)
"""

import json
import os
import sys
import urllib.request

from peft import PeftModel

from t2l.base_model import load_base_model

base_url = os.environ.get("T2L_URL", "http://127.0.0.1:8787")
request = urllib.request.Request(
    f"{base_url}/v1/adapters/{sys.argv[1]}",
    headers={"Authorization": f"Bearer {os.environ['T2L_API_KEY']}"},
)
adapter = json.load(urllib.request.urlopen(request))

os.makedirs("my-adapter", exist_ok=True)
for name, url in adapter["files"].items():  # signed URLs: no API key needed
    urllib.request.urlretrieve(url, os.path.join("my-adapter", name))

model, tokenizer = load_base_model(
    os.environ.get("T2L_BASE_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct")
)
model = PeftModel.from_pretrained(model, "my-adapter")
print(f"loaded {adapter['id']} ({adapter['bundle']}) onto {type(model.base_model.model).__name__}")
