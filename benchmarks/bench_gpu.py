"""The GPU path of labkit.fit, measured: one network trained three ways, and airbench94.

Run it (on a CUDA GPU: a few minutes, most of it compiling; --lessons adds every lesson)::

    python benchmarks/bench_gpu.py                # the GPU measurements below
    python benchmarks/bench_gpu.py --lessons      # also run every lesson on the GPU
    python benchmarks/bench_gpu.py --tiny         # CPU smoke run, tiny sizes, ~10 s
    python benchmarks/bench_gpu.py --json results.json

Without a CUDA device it prints "GPU not measured: no CUDA device" and stops; nothing is
estimated. ``--tiny`` runs every code path that can run on a CPU at tiny sizes (the test
``tests/test_bench_gpu.py`` does, so the script cannot rot); its figures are a smoke run,
not a performance claim.

What it measures (figures are printed, not asserted; the first epoch of each run is a
warm-up and is not timed; each figure is the median of the other epochs):

1. **Three ways**, one network (airbench94's, :mod:`airbench`), random CIFAR-shaped data
   (50 176 images of 3x32x32 = 98 batches of 512, random labels: only speed matters):
   a naive loop (a DataLoader over CPU tensors, fp32, NCHW, each batch copied to the
   GPU); ``labkit.fit`` with its defaults (it chooses device and precision, bf16 from
   Ampere on; channels-last; data copied to the GPU once); ``labkit.fit`` with its fastest
   options (a :class:`airbench.FlipAndTranslate` module in front of the network flips and
   shifts each batch on the GPU; ``SpeedOptions(compile=True)``; no progress bar). Each:
   images per second, ms per step, peak GPU memory, achieved TFLOP/s (the FLOPs of one
   step, counted once by ``FlopCounterMode``) and its share of the GPU's dense bf16 peak.
   Goal: ``fit`` with its defaults at least 3x the naive loop.
2. **airbench94 with labkit.fit against a hand-written airbench-style loop**
   (``airbench_train.py``; the recipe's pieces are in ``airbench.py``): the same
   recipe (whitening, label smoothing, Nesterov SGD, triangle schedule, lookahead, flips
   and shifts; airbench94's batch of 1024, 10 whole epochs) from the same weights, in the
   same batch order, with the same augmentations, both bf16, channels-last and compiled.
   Their losses batch by batch and their flip-TTA outputs are compared: equal on the CPU
   (that is what makes the timing fair; on a GPU, cuDNN may choose other kernels for each
   and leave rounding differences). The figure is their ratio of seconds per epoch.
   Goal: labkit within 1.2x of the hand-written loop.
3. **--lessons**: every lesson source run in default mode with ``run_notebook``, with the
   device its ``pick_device`` report names and its seconds. Goal: no lesson needs an edit.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import io
import json
import re
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

import airbench
import nbformat
import torch
from airbench import AirbenchRecipe, FlipAndTranslate
from airbench_train import EpochTimer, airbench_by_hand, airbench_with_labkit, clock
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

import labkit

NO_GPU = (
    "GPU not measured: no CUDA device. The GPU parts of this benchmark (the three ways at "
    "full size, airbench94 with labkit.fit against a hand-written loop, and --lessons) need "
    "an NVIDIA GPU; no GPU figure was estimated. --tiny runs every code path that a CPU can "
    "run, at tiny sizes."
)
COMPILE_SKIPPED = (
    "torch.compile skipped on the CPU: compiling takes 10-20 s there, longer than the whole "
    "smoke run; the GPU run compiles"
)
NO_CPU_MEMORY_OR_PEAK = (
    "peak memory and share of peak: n/a on the CPU (torch.cuda.max_memory_allocated measures "
    "GPU memory; the peak table lists GPUs)"
)

# Dense (no sparsity) bf16 tensor-core peaks in TFLOP/s, from NVIDIA's data sheets: A100
# (312), H100 SXM and H200 (1 979 "with sparsity", i.e. 989 dense), L4 (242 with sparsity,
# 121 dense); T4 has no bf16: its fp16 peak (65); RTX 4090: the Ada Lovelace architecture
# whitepaper (165 bf16 with fp32 accumulation). Keys: words that must all be in the name.
PEAK_TFLOPS = [
    (("A100",), 312.0),
    (("H100", "HBM3"), 989.0),  # the SXM card reports "NVIDIA H100 80GB HBM3"
    (("H200",), 989.0),
    (("L4",), 121.0),
    (("T4",), 65.0),
    (("RTX", "4090"), 165.0),
]


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much data and training each part gets."""

    n_images: int
    batch_size: int
    epochs: int  # for the three ways; the first one is a warm-up
    recipe: AirbenchRecipe
    airbench_epochs: int
    n_test: int  # images for the flip-TTA comparison


GPU_SIZES = Sizes(50_176, 512, 4, AirbenchRecipe(), airbench_epochs=10, n_test=10_000)
TINY_SIZES = Sizes(
    256,
    64,
    3,
    AirbenchRecipe(
        widths=(8, 16, 16),
        batch_size=64,
        lookahead_start_epoch=1,  # so that 3 tiny epochs reach the lookahead and its updates
        lookahead_every=2,
        whiten_bias_epochs=1,
    ),
    airbench_epochs=3,
    n_test=128,
)


def random_cifar(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` random 3x32x32 images and labels in 0..9 (for speed, content does not matter)."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g)


def quiet() -> contextlib.ExitStack:
    """Hide what a run prints (the progress bar stays on when asked: its cost counts)."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


# --- 1. Three ways ------------------------------------------------------------------------


def plain_sgd(model: nn.Module) -> torch.optim.SGD:
    """The optimizer of the three ways (a small rate: random labels must not blow up)."""
    return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def naive_loop(model: nn.Module, X, y, sizes: Sizes, device: torch.device) -> list[float]:
    """fp32, NCHW, a DataLoader over CPU tensors, each batch copied to the device as it
    comes: the loop of a first PyTorch tutorial. Returns the seconds of each epoch."""
    model.to(device)
    loader = DataLoader(TensorDataset(X, y), batch_size=sizes.batch_size, shuffle=True)
    optimizer, loss_fn = plain_sgd(model), nn.CrossEntropyLoss()
    seconds = []
    for _ in range(sizes.epochs):
        start = clock(device)
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        seconds.append(clock(device) - start)
    return seconds


def fit_loop(model: nn.Module, X, y, sizes: Sizes, **options) -> list[float]:
    """``labkit.fit`` with ``options`` (device, precision, progress, speed); epoch seconds."""
    timer = EpochTimer()
    with quiet():
        labkit.fit(
            model,
            (X, y),
            epochs=sizes.epochs,
            batch_size=sizes.batch_size,
            optimizer=plain_sgd(model),
            loss_fn=nn.CrossEntropyLoss(),
            callbacks=[timer],
            **options,
        )
    return timer.seconds


def flops_per_step(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> int:
    """The FLOPs of one training step (forward and backward), counted once by PyTorch."""
    with FlopCounterMode(display=False) as counter:
        nn.functional.cross_entropy(model(xb), yb).backward()
    return counter.get_total_flops()


def peak_tflops(device_name: str) -> float | None:
    """The GPU's dense bf16 peak in TFLOP/s, or None when it is not in the table."""
    words = set(re.split(r"[^A-Za-z0-9]+", device_name))
    return next((peak for keys, peak in PEAK_TFLOPS if set(keys) <= words), None)


def peak_memory_mb(device: torch.device) -> float | None:
    """The most GPU memory tensors took since the last reset (None on a CPU)."""
    return torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None


def speed_figures(epoch_seconds: list[float], sizes: Sizes, flops: int, peak) -> dict:
    """Images/s, ms per step, TFLOP/s and share of the peak, from the timed epochs."""
    seconds = statistics.median(epoch_seconds)
    steps = airbench.steps_per_epoch(sizes.n_images, sizes.batch_size)
    tflops = flops * steps / seconds / 1e12
    return {
        "images_per_s": sizes.n_images / seconds,
        "ms_per_step": 1000 * seconds / steps,
        "tflops": tflops,
        "peak_fraction": tflops / peak if peak else None,
        "epochs_timed": len(epoch_seconds),
    }


def three_ways(sizes: Sizes, device: torch.device) -> dict:
    """Train the same network the naive way, with fit's defaults and its fastest options."""
    X, y = random_cifar(sizes.n_images, seed=0)
    on_cpu = device.type == "cpu"
    fit_device = "cpu" if on_cpu else None  # None: fit's own choice
    ways: dict[str, Callable[[nn.Module], list[float]]] = {
        "naive": lambda net: naive_loop(net, X, y, sizes, device),
        "fit_defaults": lambda net: fit_loop(net, X, y, sizes, device=fit_device),
        "fit_fastest": lambda net: fit_loop(
            nn.Sequential(FlipAndTranslate(sizes.recipe.max_shift), net),
            X,
            y,
            sizes,
            device=fit_device,
            # On a GPU fit's default is already bf16 (fp16 where a GPU has no bf16).
            precision="bf16" if on_cpu else None,
            progress=False,
            speed=labkit.SpeedOptions(compile=not on_cpu),
        ),
    }
    batch = slice(0, sizes.batch_size)
    net = airbench.airbench_net(sizes.recipe).to(device)
    flops = flops_per_step(net, X[batch].to(device), y[batch].to(device))
    peak = peak_tflops(torch.cuda.get_device_name(device)) if not on_cpu else None
    results: dict = {"flops_per_step": flops, "peak_tflops": peak}
    for name, train in ways.items():
        labkit.seed_everything(0)
        if not on_cpu:
            torch.cuda.reset_peak_memory_stats(device)
        epoch_seconds = train(airbench.airbench_net(sizes.recipe))
        results[name] = speed_figures(epoch_seconds[1:], sizes, flops, peak)
        results[name]["peak_memory_mb"] = peak_memory_mb(device)
    for name in ("fit_defaults", "fit_fastest"):
        speedup = results[name]["images_per_s"] / results["naive"]["images_per_s"]
        results[f"{name}_speedup_over_naive"] = speedup
    if on_cpu:
        results["skipped"] = [COMPILE_SKIPPED, NO_CPU_MEMORY_OR_PEAK]
    return results


# --- 2. airbench94: labkit.fit against a hand-written loop ---------------------------------


def airbench_comparison(sizes: Sizes, device: str) -> dict:
    """Train the recipe both ways from the same whitened weights; compare and time them."""
    recipe, compile = sizes.recipe, device != "cpu"
    X, y = random_cifar(sizes.n_images, seed=0)
    labkit.seed_everything(0)
    net = airbench.airbench_net(recipe)
    airbench.whiten_first_conv(net, X[:5000])  # airbench whitens from 5 000 training images
    models, runs = {}, {}
    for name, train in (("labkit", airbench_with_labkit), ("hand", airbench_by_hand)):
        models[name] = nn.Sequential(FlipAndTranslate(recipe.max_shift), copy.deepcopy(net))
        runs[name] = train(
            models[name],
            X,
            y,
            recipe,
            epochs=sizes.airbench_epochs,
            device=device,
            compile=compile,
        )
    losses = [torch.stack(runs[name]["losses"]).cpu() for name in ("labkit", "hand")]
    X_test, _ = random_cifar(sizes.n_test, seed=1)
    outputs = [airbench.predict_with_flip_tta(models[n], X_test) for n in ("labkit", "hand")]
    seconds = {n: statistics.median(runs[n]["epoch_seconds"][1:]) for n in ("labkit", "hand")}
    return {
        "steps": len(losses[0]),
        "max_loss_difference": (losses[0] - losses[1]).abs().max().item(),
        "max_tta_output_difference": (outputs[0] - outputs[1]).abs().max().item(),
        "seconds_per_epoch_labkit": seconds["labkit"],
        "seconds_per_epoch_hand": seconds["hand"],
        "ratio": seconds["labkit"] / seconds["hand"],
        "compiled": compile,
    }


# --- 3. Lessons ---------------------------------------------------------------------------

DEVICE_REPORT = re.compile(r"labkit: training on (\w+)")


def reported_device(executed: Path) -> str:
    """The device named by the first ``pick_device`` report in a notebook's outputs."""
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            found = DEVICE_REPORT.search(output.get("text", ""))
            if found:
                return found.group(1)
    return "not reported"


def run_lessons() -> list[dict]:
    """Run every lesson source in default mode; print and return its device and seconds."""
    from labkit.paths import lesson_sources
    from labkit.runner import run_notebook

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-gpu-") as folder:
        for source in lesson_sources():
            executed = Path(folder) / source.name
            result = run_notebook(source, output_path=executed)
            device = reported_device(executed) if executed.exists() else "not reported"
            line = {"lesson": source.stem, "ok": result.ok, "device": device}
            line |= {"seconds": result.seconds, "error": result.error}
            print(
                f"  {source.stem:36s} {device:12s} {result.seconds:7.1f} s  "
                f"{'ok' if result.ok else 'FAILED: ' + str(result.error)}",
                flush=True,
            )
            results.append(line)
    return results


# --- Report -------------------------------------------------------------------------------

WAY_NAMES = {"naive": "naive loop", "fit_defaults": "fit, defaults", "fit_fastest": "fit, fastest"}


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's model name from /proc/cpuinfo."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return "CPU: " + line.split(":", 1)[1].strip()
    return "CPU"


def goal(text: str, met: bool, judged: bool) -> str:
    """A goal and whether it was met; on a CPU smoke run, not judged."""
    if not judged:
        return f"({text} on a GPU: not judged in a CPU smoke run)"
    return f"({text}: {'met' if met else 'NOT met'})"


def report_three_ways(r: dict, sizes: Sizes, judged: bool) -> str:
    """Section 1 as readable lines."""
    peak = f"{r['peak_tflops']:.0f} TFLOP/s" if r["peak_tflops"] else "unknown"
    lines = [
        f"1. Three ways: {sizes.n_images} random images of 3x32x32, batch {sizes.batch_size}, "
        f"airbench94's network (widths {sizes.recipe.widths}), {sizes.epochs} epochs "
        "(the first one untimed)",
        f"   FLOPs per training step: {r['flops_per_step']:.3g}; dense bf16 peak: {peak}",
        f"   {'way':16s} {'images/s':>10s} {'ms/step':>9s} {'peak MB':>9s} {'TFLOP/s':>9s} "
        f"{'of peak':>8s}",
    ]
    for key, name in WAY_NAMES.items():
        w = r[key]
        memory = f"{w['peak_memory_mb']:9.0f}" if w["peak_memory_mb"] is not None else "      n/a"
        share = f"{w['peak_fraction']:8.1%}" if w["peak_fraction"] is not None else " unknown"
        lines.append(
            f"   {name:16s} {w['images_per_s']:10,.0f} {w['ms_per_step']:9.2f} {memory} "
            f"{w['tflops']:9.4f} {share}"
        )
    lines += [f"   skipped: {reason}" for reason in r.get("skipped", [])]
    defaults, fastest = r["fit_defaults_speedup_over_naive"], r["fit_fastest_speedup_over_naive"]
    lines += [
        f"   fit with its defaults vs naive loop: {defaults:.2f}x "
        + goal("goal >= 3x", defaults >= 3, judged),
        f"   fit with its fastest options vs naive loop: {fastest:.2f}x",
    ]
    return "\n".join(lines)


def report_airbench(r: dict, judged: bool) -> str:
    """Section 2 as readable lines."""
    how = "compiled" if r["compiled"] else "not compiled (CPU)"
    return "\n".join(
        [
            f"2. airbench94's recipe, labkit.fit vs a hand-written airbench-style loop "
            f"(bf16, channels-last, {how}), {r['steps']} steps each",
            f"   largest difference of the per-image losses, batch by batch: "
            f"{r['max_loss_difference']:.2e}",
            f"   largest difference of the flip-TTA outputs: {r['max_tta_output_difference']:.2e}",
            f"   seconds per epoch: labkit.fit {r['seconds_per_epoch_labkit']:.4f}, hand-written "
            f"{r['seconds_per_epoch_hand']:.4f} -> ratio {r['ratio']:.3f} "
            + goal("goal <= 1.2x", r["ratio"] <= 1.2, judged),
        ]
    )


def main(args: argparse.Namespace) -> dict:
    has_cuda = torch.cuda.is_available()
    results: dict = {"torch": torch.__version__, "mode": "tiny" if args.tiny else "gpu"}
    if not has_cuda:
        results["gpu"] = NO_GPU
    if args.tiny or has_cuda:
        sizes = TINY_SIZES if args.tiny else GPU_SIZES
        device = torch.device("cpu" if args.tiny else "cuda")
        results["device_name"] = device_name(device)
        results["sizes"] = dataclasses.asdict(sizes)
        heading = "CPU smoke run (--tiny): tiny sizes, not a performance measurement"
        print(heading if args.tiny else "GPU run, all sizes", flush=True)
        print(f"{results['device_name']}; torch {torch.__version__}", flush=True)
        if not has_cuda:
            print(NO_GPU, flush=True)
        results["three_ways"] = three_ways(sizes, device)
        print(report_three_ways(results["three_ways"], sizes, judged=not args.tiny), flush=True)
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            results["airbench"] = "skipped: this GPU has no bf16 (both loops train in bf16)"
            print(f"2. airbench94: {results['airbench']}")
        else:
            results["airbench"] = airbench_comparison(sizes, device.type)
            print(report_airbench(results["airbench"], judged=not args.tiny), flush=True)
    else:
        print(NO_GPU)
    if args.lessons and has_cuda:
        print("3. Every lesson on the GPU, default mode (device: its pick_device report):")
        results["lessons"] = run_lessons()
        on_gpu = sum(r["ok"] and r["device"] == "cuda" for r in results["lessons"])
        print(f"   ran to the end on cuda, unchanged: {on_gpu} of {len(results['lessons'])}")
    elif args.lessons:
        results["lessons"] = "skipped: no CUDA device"
        print(f"3. Lessons: {results['lessons']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tiny", action="store_true", help="CPU smoke run at tiny sizes (about 10 s)"
    )
    parser.add_argument(
        "--lessons", action="store_true", help="also run every lesson on the GPU (CUDA only)"
    )
    parser.add_argument("--json", help="also write every printed figure to this JSON file")
    return parser


if __name__ == "__main__":
    main(get_args_parser().parse_args())
