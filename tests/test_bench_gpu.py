"""benchmarks/bench_gpu.py: its CPU smoke run, and the airbench pieces a learner reads.

The smoke run (``--tiny``, one thread, about 10 s) runs every code path a CPU can run, so
the GPU benchmark cannot rot between GPU runs. Its timings are not asserted, only that
every way ran and gave finite, positive figures, and that the airbench94 recipe trained
with ``labkit.fit`` and with the hand-written loop computed the same losses: both run
the same operations in the same order on the same inputs on one CPU thread, so they
agree exactly (0.0 measured). The bound, 1e-5 of a per-image loss of about 2.3, is far
below a real difference: without lookahead in one of them the losses differ by 1.7e-3.
"""

import doctest
import json
import math
import os
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import nbformat
import pytest
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmarks are scripts, not a package
import airbench  # noqa: E402
import bench_gpu  # noqa: E402

WAYS = ("naive", "fit_defaults", "fit_fastest")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[dict, str]:
    """The figures and printed text of one ``bench_gpu.py --tiny`` run, on one thread."""
    json_path = tmp_path_factory.mktemp("bench_gpu") / "figures.json"
    env = os.environ | {
        "OMP_NUM_THREADS": "1",
        "LABKIT_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_gpu.py", "--tiny", "--json", str(json_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(json_path.read_text()), done.stdout


def _positive(value: float) -> bool:
    return math.isfinite(value) and value > 0


def test_tiny_run_trains_every_way(tiny_run):
    figures, _ = tiny_run
    ways = figures["three_ways"]
    assert _positive(ways["flops_per_step"])
    for way in WAYS:
        for name in ("images_per_s", "ms_per_step", "tflops"):
            assert _positive(ways[way][name]), (way, name, ways[way][name])
        assert ways[way]["epochs_timed"] == bench_gpu.TINY_SIZES.epochs - 1  # warm-up untimed
    assert _positive(ways["fit_defaults_speedup_over_naive"])
    assert _positive(ways["fit_fastest_speedup_over_naive"])


def test_tiny_run_says_what_it_skipped(tiny_run):
    figures, printed = tiny_run
    assert "CPU smoke run" in printed
    assert "torch.compile skipped" in printed
    if not torch.cuda.is_available():
        assert "GPU not measured: no CUDA device" in printed
        assert figures["gpu"].startswith("GPU not measured: no CUDA device")


def test_tiny_airbench_with_fit_matches_the_hand_written_loop(tiny_run):
    figures, _ = tiny_run
    result = figures["airbench"]
    tiny = bench_gpu.TINY_SIZES
    steps = tiny.airbench_epochs * tiny.n_images // tiny.recipe.batch_size
    assert result["steps"] == steps
    assert result["max_loss_difference"] <= 1e-5
    assert result["max_tta_output_difference"] <= 1e-5
    for name in ("seconds_per_epoch_labkit", "seconds_per_epoch_hand", "ratio"):
        assert _positive(result[name])


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_without_cuda_the_gpu_run_stops_and_says_why(tmp_path, capsys):
    json_path = tmp_path / "figures.json"
    bench_gpu.main(Namespace(tiny=False, lessons=True, json=str(json_path)))
    printed = capsys.readouterr().out
    assert printed.startswith("GPU not measured: no CUDA device")
    assert "Lessons: skipped: no CUDA device" in printed
    assert json.loads(json_path.read_text())["lessons"] == "skipped: no CUDA device"


def _correlated_images(n: int = 64) -> torch.Tensor:
    """Images whose channels and neighbouring pixels are correlated, like photographs."""
    g = torch.Generator().manual_seed(0)
    noise = torch.randn(n, 3, 9, 9, generator=g)
    mixed = torch.einsum(
        "ij,njhw->nihw", torch.tensor([[1.0, 0.5, 0.2], [0.5, 1.0, 0.5], [0.2, 0.5, 1.0]]), noise
    )
    return mixed[:, :, 1:, 1:] + 0.7 * mixed[:, :, :-1, :-1]  # each pixel shares a neighbour's


def _patch_output_covariance(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Covariance (uncentred, as the whitening uses) of the positive filters' outputs."""
    weight = airbench.whitening_conv(model).weight
    half = weight[: len(weight) // 2]
    out = F.conv2d(images, half)  # no bias: the whitening itself
    rows = out.permute(0, 2, 3, 1).reshape(-1, len(half))
    return rows.T @ rows / len(rows)


@pytest.mark.parametrize("eps", [0.0, 5e-4])
def test_whitening_decorrelates_the_first_convs_patch_outputs(eps):
    images = _correlated_images()
    model = airbench.airbench_net(airbench.AirbenchRecipe(widths=(8, 8, 8)))
    airbench.whiten_first_conv(model, images, eps=eps)
    covariance = _patch_output_covariance(model, images)
    # In exact arithmetic diag(eigenvalue / (eigenvalue + eps)); the smallest eigenvalue of
    # these patches' covariance is 0.124, so eps=5e-4 lowers the diagonal by at most 0.4 %.
    tolerance = 1e-4 + eps / 0.12
    torch.testing.assert_close(covariance, torch.eye(12), atol=tolerance, rtol=0)
    off_diagonal = covariance - torch.diag(covariance.diagonal())
    assert off_diagonal.abs().max() < 1e-4
    weight = airbench.whitening_conv(model).weight
    torch.testing.assert_close(weight[12:], -weight[:12])  # each direction and its negative


def test_flip_and_translate_is_the_identity_in_eval_mode():
    augment = airbench.FlipAndTranslate(max_shift=2).eval()
    images = torch.randn(8, 3, 32, 32)
    assert torch.equal(augment(images), images)


def test_flip_and_translate_keeps_each_image_in_its_place():
    images = torch.randn(64, 3, 32, 32)
    out = airbench.FlipAndTranslate(max_shift=0).train()(images)
    assert out.shape == images.shape
    mirrored = [torch.equal(o, i.flip(-1)) for o, i in zip(out, images, strict=True)]
    unchanged = [torch.equal(o, i) for o, i in zip(out, images, strict=True)]
    # Every output is its own image or that image's mirror: the labels still match.
    assert all(m or u for m, u in zip(mirrored, unchanged, strict=True))
    assert 0 < sum(mirrored) < len(images)
    shifted = airbench.FlipAndTranslate(max_shift=2).train()(images)
    assert shifted.shape == images.shape


def test_translate_moves_each_image_by_its_own_shift():
    images = torch.randn(2, 3, 8, 8)
    moved = airbench.translate(images, torch.tensor([[1, -2], [0, 0]]), max_shift=2)
    padded = F.pad(images, (2, 2, 2, 2), mode="reflect")
    # Output (y, x) reads input (y + 1, x - 2): rows 1..8 and columns -2..5 of the original.
    torch.testing.assert_close(moved[0], padded[0, :, 3:11, 0:8])
    torch.testing.assert_close(moved[1], images[1])


def test_flip_and_translate_with_one_seed_augments_alike():
    images = torch.randn(16, 3, 32, 32)
    a = airbench.FlipAndTranslate(seed=3).train()
    b = airbench.FlipAndTranslate(seed=3).train()
    assert torch.equal(a(images), b(images))


def test_lookahead_average_matches_a_hand_computation():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    start = {k: v.clone() for k, v in model.state_dict().items()}
    average = airbench.LookaheadAverage(model)
    with torch.no_grad():
        model[0].weight.add_(1.0)
    model(torch.randn(4, 2))  # changes BatchNorm's running statistics and batch counter
    now = {k: v.clone() for k, v in model.state_dict().items()}
    average.update(model, decay=0.9)
    for name, value in model.state_dict().items():
        if value.is_floating_point():
            torch.testing.assert_close(value, 0.9 * start[name] + 0.1 * now[name])
            torch.testing.assert_close(average.average[name], value)
        else:  # the integer batch counter is left as the model has it
            assert torch.equal(value, now[name])


def test_lookahead_timing_follows_airbench():
    recipe = airbench.AirbenchRecipe()
    assert not airbench.lookahead_due(step=100, epoch=2, recipe=recipe)  # before epoch 3
    assert airbench.lookahead_due(step=100, epoch=3, recipe=recipe)
    assert not airbench.lookahead_due(step=101, epoch=3, recipe=recipe)  # every 5 steps
    decay = airbench.lookahead_decay(step=50, total_steps=100, recipe=recipe)
    assert decay == pytest.approx(0.95**5 * 0.5**3)


def test_peak_table_matches_whole_words_of_the_gpu_name():
    assert bench_gpu.peak_tflops("NVIDIA A100-SXM4-80GB") == 312
    assert bench_gpu.peak_tflops("NVIDIA H100 80GB HBM3") == 989
    assert bench_gpu.peak_tflops("NVIDIA H100 PCIe") is None  # not the SXM card's peak
    assert bench_gpu.peak_tflops("NVIDIA L4") == 121
    assert bench_gpu.peak_tflops("NVIDIA L40S") is None  # "L4" is not a word of it
    assert bench_gpu.peak_tflops("Tesla T4") == 65


def test_reported_device_reads_the_pick_device_line(tmp_path):
    nb = nbformat.v4.new_notebook()
    report = "labkit: training on cuda, precision bf16, 16 threads (CUDA GPU found: H100)\n"
    cell = nbformat.v4.new_code_cell("DEVICE = labkit.pick_device()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=report)]
    nb.cells = [nbformat.v4.new_code_cell("import labkit"), cell]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    assert bench_gpu.reported_device(path) == "cuda"


def test_airbench_docstring_examples_run():
    assert doctest.testmod(airbench, optionflags=doctest.ELLIPSIS).failed == 0
