"""fit_detector and detect on a real torchvision detector, small enough for a test."""

import math

import pytest
import torch
from torch import nn
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.ops import MultiScaleRoIAlign

from labkit import detect, fit_detector
from labkit.datasets import load_scenes


def tiny_faster_rcnn(seed: int = 0) -> FasterRCNN:
    torch.manual_seed(seed)
    backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4))
    backbone.out_channels = 8
    return FasterRCNN(
        backbone,
        num_classes=5,
        min_size=64,
        max_size=64,
        rpn_anchor_generator=AnchorGenerator(sizes=((8, 16, 24),), aspect_ratios=((1.0,),)),
        box_roi_pool=MultiScaleRoIAlign(["0"], output_size=7, sampling_ratio=1),
        box_batch_size_per_image=16,
        representation_size=32,
    )


@pytest.fixture(scope="module")
def scenes():
    return load_scenes("train", n=8)


def train(scenes, seed=0, epochs=2):
    model = tiny_faster_rcnn()
    targets = [scenes.targets(i) for i in range(len(scenes))]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = fit_detector(
        model, scenes.tensors(), targets, epochs=epochs, optimizer=optimizer, batch_size=4,
        seed=seed, progress=False,
    )  # fmt: skip
    return model, history


def test_each_loss_is_recorded_per_epoch_and_the_total_is_their_sum(scenes):
    _, history = train(scenes)
    parts = ["loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg"]
    assert sorted(history) == sorted(["loss", *parts]) and history.epochs == 2
    for epoch in range(2):
        total = sum(history[name][epoch] for name in parts)
        assert history["loss"][epoch] == pytest.approx(total, rel=1e-5)
        assert all(math.isfinite(history[name][epoch]) for name in parts)


def test_the_same_seed_gives_the_same_run_and_another_seed_another_order(scenes):
    _, first = train(scenes, seed=3)
    _, again = train(scenes, seed=3)
    _, other = train(scenes, seed=4)
    assert first["loss"] == again["loss"]
    assert first["loss"][1] != other["loss"][1]  # same weights, other batch order


def test_detect_returns_one_dict_per_image_and_restores_the_mode(scenes):
    model, _ = train(scenes, epochs=1)
    model.train()
    found = detect(model, scenes.tensors()[:3], batch_size=2)
    assert len(found) == 3 and model.training
    for result in found:
        assert set(result) == {"boxes", "scores", "labels"}
        assert result["boxes"].shape[1:] == (4,) and len(result["scores"]) == len(result["labels"])


def test_bad_input_is_refused_with_a_clear_message(scenes):
    model = tiny_faster_rcnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    targets = [scenes.targets(i) for i in range(3)]
    with pytest.raises(ValueError, match="one entry per scene. Received: 8 images and 3"):
        fit_detector(model, scenes.tensors(), targets, epochs=1, optimizer=optimizer)
    with pytest.raises(ValueError, match="epochs"):
        fit_detector(model, scenes.tensors()[:3], targets, epochs=0, optimizer=optimizer)


def test_a_loss_that_is_not_finite_stops_training_and_says_where(scenes):
    class Exploding(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.tensor(1.0))

        def forward(self, images, targets):
            return {"loss": self.w * float("inf")}

    model = Exploding()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    targets = [scenes.targets(i) for i in range(4)]
    with pytest.raises(ValueError, match=r"loss is inf in epoch 1, step 1.*smaller learning"):
        fit_detector(
            model, scenes.tensors()[:4], targets, epochs=1, optimizer=optimizer, progress=False
        )
