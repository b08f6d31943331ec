"""`t2l eval`: score every method on the held-out tasks and write the results JSON.

config -> tasks and items -> descriptions -> base model -> adapters -> score (resumable) ->
aggregate -> results JSON (+ per-item predictions under the run folder).
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import time
from pathlib import Path

import torch

from t2l.atomic_file import write_json_atomically
from t2l.base_model import load_base_model
from t2l.eval.adapters import AdapterHost, T2LAdapterWriter, require_peft_folder
from t2l.eval.config import EvalConfig
from t2l.eval.methods import T2L_METHODS, Condition, held_out_descriptions, plan_conditions
from t2l.eval.progress import Progress
from t2l.eval.results import build_results, item_means
from t2l.eval.scoring import ItemScore, ScoringSettings, score_items
from t2l.file_digest import file_sha256
from t2l.tasks import eval_examples, load_split, load_task_library, resolve_data_dir
from t2l.tasks.records import task_descriptions

log = logging.getLogger(__name__)


# Settings that change how or where conditions are scored, never a score. The task library's
# location and the other tasks a run scores are among them: each (method, task) is fingerprinted
# with what its task's spec says (`TaskSpec.digest`) and the descriptions its conditions use.
_NOT_SCORE_INPUTS = frozenset({"run_dir", "output", "label", "resume", "threads", "batch_size",
                               "device", "embedding_table", "methods", "tasks_dir", "tasks"})
# Settings only the T2L methods' scores depend on, hashed into theirs only when not the default,
# so scores made before a setting existed keep their fingerprints.
_T2L_SETTINGS = {"guidance": 1.0}
# The trained artifact each method's scores depend on (base methods depend on none).
_ARTIFACTS = ("multitask_lora", "oracle_loras", "hypernet")
_METHOD_ARTIFACT = {"multitask_lora": "multitask_lora", "oracle_lora": "oracle_loras",
                    **{m: "hypernet" for m in T2L_METHODS}}


# What an artifact's scores depend on: its weights and their config. Not its location, and not
# what `t2l export-bundle` adds beside them (ONNX graphs, tokenizer, manifest, test vectors).
_SCORED_FILES = ("*.safetensors", "hypernet.json", "adapter_config.json")


def _content_digest(folder: Path) -> list[tuple[str, str]]:
    """(path relative to `folder`, sha256) of every scored file under it."""
    files = sorted({p for pattern in _SCORED_FILES for p in folder.rglob(pattern) if p.is_file()})
    return [(str(p.relative_to(folder)), file_sha256(p)) for p in files]


def _fingerprints(
    config: EvalConfig, descriptions: dict[str, list[str]], task_specs: dict[str, str]
) -> dict[tuple[str, str], str]:
    """Per (method, task): a hash of everything its scores depend on, so runs that split the
    methods between them (or add a method later) share finished conditions, a retrained
    artifact (other weights) invalidates only the scores made with it, and a task whose spec
    changed (another prompt, options or metric) is scored again while the others resume."""
    settings = config.to_dict()
    common = {k: v for k, v in settings.items()
              if k not in _NOT_SCORE_INPUTS and k not in _ARTIFACTS and k not in _T2L_SETTINGS}
    t2l_settings = {k: settings[k] for k, default in _T2L_SETTINGS.items()
                    if settings[k] != default}
    # Each artifact hashed once, however many methods score it (the T2L methods share one).
    digests = {artifact: _content_digest(Path(settings[artifact]))
               for artifact in {_METHOD_ARTIFACT.get(m) for m in config.methods} - {None}}
    fingerprints = {}
    for method in config.methods:
        relevant = dict(common)
        if artifact := _METHOD_ARTIFACT.get(method):
            relevant[artifact] = digests[artifact]
        if method in T2L_METHODS:
            relevant.update(t2l_settings)
        for task, spec_digest in task_specs.items():
            payload = json.dumps([method, relevant, descriptions, task, spec_digest],
                                 sort_keys=True, default=str)
            fingerprints[(method, task)] = hashlib.sha256(payload.encode()).hexdigest()[:16]
    return fingerprints


def run_eval(config: EvalConfig) -> dict:
    started = time.time()
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)

    # Tasks, items and the descriptions each task is judged with.
    library = load_task_library(config.tasks_dir)
    split = load_split(config.split_path, library)
    tasks = list(config.tasks) or list(split.heldout)
    unknown = [t for t in tasks if t not in library]
    if unknown:
        raise ValueError(f"--tasks {','.join(unknown)}: not in the task library {config.tasks_dir}")
    data_dir = resolve_data_dir(config.data_dir)
    specs = {t: library[t] for t in tasks}
    items = {t: eval_examples(specs[t], data_dir, config.limit_for(specs[t].metric))
             for t in tasks}
    # The other-descriptions control borrows along the held-out split's order whenever the
    # scored tasks are held-out ones, so scoring a few of them plans exactly the conditions a
    # run over all of them does, and their scores can stand in for that run's (`merge-evals`).
    pool = list(split.heldout) if set(tasks) <= set(split.heldout) else tasks
    drawn = {
        t: held_out_descriptions(task_descriptions(library[t], data_dir),
                                 config.descriptions_per_task, config.seed, t)
        for t in pool
    }
    descriptions = {t: drawn[t] for t in tasks}
    task_specs = {t: specs[t].digest() for t in tasks}
    oracle_folders = _oracle_folders(config, specs)

    # Base model and adapters.
    model, tokenizer = load_base_model(config.base_model)
    model = model.to(config.torch_device())
    base_model_id = model.config.t2l_base_model["hub_id"]
    run_dir = Path(config.run_dir)
    writer = None
    if any(m in T2L_METHODS for m in config.methods):  # before PEFT wraps the target modules
        writer = T2LAdapterWriter(Path(config.hypernet), model, base_model_id,
                                  run_dir / "embeddings", config.embedding_table,
                                  config.guidance)
    host = AdapterHost(model)
    if config.multitask_lora:
        host.load("multitask", require_peft_folder(Path(config.multitask_lora), "--multitask-lora"))

    progress = Progress(run_dir / "progress.jsonl", _fingerprints(config, drawn, task_specs),
                        config.resume)
    settings = ScoringSettings(config.batch_size, config.max_new_tokens, config.code_timeout_s)
    per_condition: dict[str, dict[str, list[float] | None]] = {}
    per_item: dict[str, dict[str, list[float] | None]] = {}
    choices: dict[str, dict[str, list[list[int] | None]]] = {}
    for method in config.methods:
        per_condition[method], per_item[method], choices[method] = {}, {}, {}
        for task in tasks:
            if method == "oracle_lora" and oracle_folders.get(task) is None:
                per_condition[method][task] = None  # eval-only task: no data to train an oracle
                per_item[method][task] = None
                continue
            scores, item_rows, choice_rows = [], [], []
            for condition in plan_conditions(method, task, pool, drawn, config.seed):
                score = progress.get(method, task, condition.key)
                if score is None:
                    condition_started = time.time()
                    scored = _score_condition(
                        host, writer, tokenizer, specs[task], items[task], settings, condition,
                        method, oracle_folders.get(task), run_dir)
                    item_choices = [s.choice for s in scored] \
                        if specs[task].metric == "mc_loglik" else None
                    score = progress.record(method, task, condition.key,
                                            [s.score for s in scored],
                                            time.time() - condition_started, item_choices)
                scores.append(score)
                item_rows.append(progress.item_scores(method, task, condition.key))
                choice_rows.append(progress.item_choices(method, task, condition.key))
            per_condition[method][task] = scores
            choices[method][task] = choice_rows
            per_item[method][task] = item_means(item_rows)
            log.info("%s %s: %.4f", method, task, statistics.fmean(scores))

    results = build_results(
        config=config, base_model_id=base_model_id, tasks=tasks,
        metrics={t: specs[t].metric for t in tasks},
        items={t: len(items[t]) for t in tasks}, descriptions=descriptions,
        task_specs=task_specs,
        per_condition=per_condition, per_item=per_item, artifacts=_artifacts(config, writer),
        choices=choices, labels={t: [item.label for item in items[t]] for t in tasks
                                 if specs[t].metric == "mc_loglik"},
        wall_time_s=time.time() - started, scoring_time_s=progress.seconds,
    )
    write_json_atomically(Path(config.output), results)
    return results


def _oracle_folders(config: EvalConfig, specs: dict) -> dict[str, Path | None]:
    if "oracle_lora" not in config.methods:
        return {}
    root = Path(str(config.oracle_loras))
    folders: dict[str, Path | None] = {}
    for task, spec in specs.items():
        if not spec.trainable:
            folders[task] = None
            continue
        # `<root>/<task>` itself, or the `adapter/` folder a train-lora run leaves there.
        candidate = root / task
        if not (candidate / "adapter_config.json").is_file() and (candidate / "adapter").is_dir():
            candidate = candidate / "adapter"
        folders[task] = require_peft_folder(candidate, "--oracle-loras")
    return folders


def _score_condition(
    host: AdapterHost, writer: T2LAdapterWriter | None, tokenizer, spec, items, settings,
    condition: Condition, method: str, oracle_folder: Path | None, run_dir: Path,
) -> list[ItemScore]:
    """Each item's score, in item order."""
    started = time.time()
    adapter = condition.adapter
    if adapter == "oracle":
        assert oracle_folder is not None
        adapter = f"oracle_{spec.name}"
        if adapter not in host.loaded:
            host.load(adapter, oracle_folder)
    if condition.t2l_description is not None:
        assert writer is not None
        folder = run_dir / "adapters" / method / spec.name / condition.key.replace(":", "_")
        host.load("t2l", writer.write(condition.t2l_description, folder))
        adapter = "t2l"
    with host.active(adapter) as model:
        scored = score_items(model, tokenizer, spec, items, settings, condition.prompt_description)
    _write_predictions(run_dir, method, spec.name, condition, scored)
    mean = statistics.fmean(s.score for s in scored) if scored else 0.0
    log.info("  %s/%s/%s: %.4f over %d items in %.1fs", method, spec.name, condition.key, mean,
             len(scored), time.time() - started)
    return scored


def _write_predictions(run_dir: Path, method: str, task: str, condition: Condition,
                       scored: list[ItemScore]) -> None:
    path = run_dir / "predictions" / method / task / f"{condition.key.replace(':', '_')}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"condition": condition.key, "prompt_description": condition.prompt_description,
              "t2l_description": condition.t2l_description}
    lines = [json.dumps(header)] + [json.dumps(s.__dict__) for s in scored]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _artifacts(config: EvalConfig, writer: T2LAdapterWriter | None) -> dict:
    artifacts: dict = {"multitask_lora": config.multitask_lora, "oracle_loras": config.oracle_loras,
                       "hypernet": config.hypernet}
    if writer is not None:
        artifacts["hypernet_training"] = writer.meta.get("training")
        artifacts["hypernet_config"] = {"variant": writer.hypernet.config.variant,
                                        "rank": writer.hypernet.config.rank,
                                        "params": writer.hypernet.num_parameters()}
        if writer.guidance != 1.0:
            artifacts["guidance"] = writer.guidance
    return artifacts
