"""Plot titles of the held-out evaluation documents in `docs/results/`, by file stem.

A document without one is titled "Held-out tasks"; its section heading still names the file.
"""

from t2l.report.seed_recipes import SCHEDULE_250_RECIPE, SEEDS, plan_seed_stem

SEED_TITLES = {
    **{plan_seed_stem(seed): "Held-out tasks, the first SFT recipe (4000-step plan) and the "
       f"multi-task LoRA's, seed {seed}, dev-calibrated" for seed in SEEDS},
    **{t2l_stem: "Held-out tasks, T2L by SFT with its schedule sized to 250 steps, seed "
       f"{seed}, dev-calibrated"
       for seed, (t2l_stem, _) in SCHEDULE_250_RECIPE.runs.items()},
}
EVAL_TITLES = {"eval_heldout": "Held-out tasks, the default teacher and every method, "
                               "dev-calibrated",
               "eval_heldout_all_items": "Held-out tasks, every multiple-choice item",
               "eval_heldout_every_item": "Held-out tasks, every item (merged runs)",
               "eval_heldout_generated": "Held-out generated-answer tasks, every item",
               "eval_heldout_mbpp": "MBPP, every test problem: T2L and the multi-task LoRA",
               "eval_heldout_mbpp_base": "MBPP, every test problem: the base model with and "
                                         "without the description",
               "eval_heldout_mbpp_controls": "MBPP, every test problem: T2L's two controls",
               "eval_heldout_bbh": "BBH multiple-choice tasks, every item, every method",
               "eval_heldout_listed_piqa": "Held-out tasks as first scored, PIQA's two solutions "
                                           "listed in its prompt",
               "eval_heldout_piqa": "PIQA, each solution the answer to its goal, every item",
               "eval_heldout_piqa_100": "PIQA, each solution the answer to its goal, the "
                                        "headline's first 100 items",
               "eval_heldout_small_listed_piqa": "Held-out tasks, served distilled student, as "
                                                 "first scored (PIQA's solutions listed)",
               "eval_heldout_small_piqa_100": "PIQA, each solution the answer to its goal, "
                                              "served distilled student, first 100 items",
               "eval_heldout_mixed_calibrated_listed_piqa": "Held-out tasks, SFT then templates "
                                                            "+ arithmetic, dev-calibrated, as "
                                                            "first scored (PIQA's solutions "
                                                            "listed)",
               "eval_heldout_mixed_calibrated_piqa_100": "PIQA, each solution the answer to its "
                                                         "goal, SFT then templates + arithmetic, "
                                                         "dev-calibrated, first 100 items",
               "eval_heldout_uncalibrated": "Held-out tasks, adapters at their trained strength",
               "eval_heldout_mixed_calibrated": "Held-out tasks, SFT then templates + arithmetic, "
                                                "kept by dev loss, at its dev-calibrated scale",
               "eval_heldout_20": "Held-out tasks, first 20 items (the earlier headline)",
               "eval_heldout_3desc": "Held-out tasks, three descriptions a task",
               "eval_heldout_3desc_uncalibrated": "Held-out tasks, three descriptions a task, T2L "
                                                  "at its trained strength",
               "eval_heldout_hinge": "Held-out tasks, SFT + mismatch hinge",
               "eval_heldout_hinge_warm": "Held-out tasks, SFT then hinge fine-tune",
               "eval_heldout_templates": "Held-out tasks, SFT then template-task fine-tune",
               "eval_heldout_math": "Held-out tasks, SFT then fine-tune with arithmetic tasks",
               "eval_heldout_mixed": "Held-out tasks, SFT then templates + arithmetic, kept by "
                                     "dev loss",
               "eval_heldout_mixed_final": "Held-out tasks, SFT then templates + arithmetic, last "
                                           "step",
               "eval_heldout_base": "Held-out tasks, the base model with and without the "
                                    "description",
               "eval_heldout_continued": "Held-out tasks, SFT continued 120 steps (the rule "
                                         "tasks' control), trained strength",
               "eval_heldout_rules600": "Held-out tasks, SFT then 600 steps with rule tasks, "
                                        "trained strength",
               "eval_heldout_multitask_plain": "Held-out tasks, multi-task LoRA at its trained "
                                               "strength",
               "eval_heldout_multitask_rules600": "Held-out tasks, multi-task LoRA continued 600 "
                                                  "steps with rule tasks",
               "eval_heldout_continued_merged": "Held-out tasks, the rule tasks' control: T2L, "
                                                "its LoRA and the base (merged)",
               "eval_heldout_rules600_merged": "Held-out tasks, rule tasks for 600 steps: T2L, "
                                               "its LoRA and the base (merged)",
               "eval_heldout_h200_step250": "Held-out tasks, trained on one H200: T2L, the "
                                            "multi-task LoRA and the base at step 250",
               "eval_heldout_h200_step1000": "Held-out tasks, trained on one H200: T2L, the "
                                             "multi-task LoRA and the base at step 1000",
               "eval_dev_h200_step250": "Development tasks, trained on one H200: step 250",
               "eval_dev_h200_step1000": "Development tasks, trained on one H200: step 1000",
               "eval_reconstruction": "Oracle LoRAs' own tasks (reconstruction, scored on the "
                                      "H200 that trained them)",
               "eval_reconstruction_cpu": "Oracle LoRAs' own tasks: the reconstruction "
                                          "hypernetwork rescored on this CPU, the base beside it",
               "eval_heldout_recon": "Held-out tasks, T2L by reconstruction of 9 oracle LoRAs, "
                                     "trained strength",
               **SEED_TITLES}
