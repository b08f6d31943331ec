import pytest
import torch
from conftest import make_encoder, make_llama, make_tokenizer, perturb
from synthetic_tasks import make_tasks

from t2l.description_mixup import blend_with_weights
from t2l.hypernet import HyperNetConfig, HyperNetwork
from t2l.recipes.frozen_base import frozen_base
from t2l.sft_tasks import example_losses, prepare_tasks
from t2l.task_mixup import task_mixup_loss


@pytest.fixture(scope="module")
def setup():
    base, tokenizer = frozen_base(make_llama(), make_tokenizer(), "tiny", "q_proj,v_proj",
                                  torch.device("cpu"))
    encoder = make_encoder()
    hypernet = HyperNetwork(HyperNetConfig(targets=base.targets, embed_dim=encoder.dim, rank=4,
                                           hidden_dim=32)).eval()
    perturb(hypernet, seed=1)  # so blends matter
    tasks = prepare_tasks(make_tasks(["reverse", "upper", "double"], examples=2), tokenizer,
                          encoder, 48, 0)
    examples = [tasks[0].train[0], tasks[1].train[0], tasks[1].train[1], tasks[2].train[0]]
    embeddings = torch.stack([tasks[0].description_embeddings[0],
                              tasks[1].description_embeddings[0],
                              tasks[1].description_embeddings[1],
                              tasks[2].description_embeddings[0]])  # (4, E)
    return base, hypernet, examples, embeddings


def test_each_blend_serves_both_examples_in_its_proportions(setup):
    base, hypernet, examples, embeddings = setup
    task_ids = [0, 1, 1, 2]  # pairs (0,1), (2,3), (3,0); (1,2) shares a task and is skipped
    with torch.no_grad():
        loss = task_mixup_loss(base, hypernet, hypernet.scaling, examples, embeddings, task_ids,
                               torch.Generator().manual_seed(7))
    weights = torch.rand(3, 1, generator=torch.Generator().manual_seed(7))  # the same draws
    expected = []
    for (i, j), w in zip([(0, 1), (2, 3), (3, 0)], weights, strict=True):
        blend = blend_with_weights(embeddings[[i]], embeddings[[j]], w[None])  # (1, E)
        with torch.no_grad():
            lora = hypernet(blend)
        own, partner = (example_losses(base, lora, hypernet.scaling, [examples[k]], 1)[0]
                        for k in (i, j))
        expected.append(w.item() * own + (1 - w.item()) * partner)
    assert loss.item() == pytest.approx(sum(expected) / 3, rel=1e-4)


def test_pairs_from_one_task_add_nothing(setup):
    base, hypernet, examples, embeddings = setup
    loss = task_mixup_loss(base, hypernet, hypernet.scaling, examples, embeddings, [5] * 4,
                           torch.Generator().manual_seed(0))
    assert loss.item() == 0.0


def test_blend_weights_come_from_the_generator_alone(setup):
    base, hypernet, examples, embeddings = setup

    def loss(seed):
        with torch.no_grad():
            return task_mixup_loss(base, hypernet, hypernet.scaling, examples, embeddings,
                                   [0, 1, 2, 3], torch.Generator().manual_seed(seed)).item()

    assert loss(3) == loss(3) != loss(4)
