"""Public checks for lesson 08 (deep CNNs).

Every input here is small enough to work out on paper, or is a layer of a famous network;
the messages say which usual mistake a wrong answer points to.
"""

from __future__ import annotations

import numpy as np

from labkit.selfcheck import CheckFailed, expect

__all__ = ["PUBLIC_CHECKS"]


def _whole_number(value: object, call: str) -> int:
    """``value`` as an int, or a failed check saying that a whole number (an int) was expected."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating):
            raise CheckFailed(
                f"{call} returned {value!r}, a float: return an int (a count of numbers). "
                "Use only *, + and // on ints, not / or **0.5."
            )
        raise CheckFailed(f"{call} should return an int; got {value!r}.")
    return int(value)


# ---------------------------------------------------------------- 08.ex1: conv_params
def check_ex1(conv_params: object) -> None:
    """08.ex1: ``conv_params(in_channels, out_channels, kernel, bias=True)``."""
    expect(
        callable(conv_params),
        "expected a function conv_params(in_channels, out_channels, kernel, bias=True).",
    )
    cases = [
        # (in, out, kernel, bias, expected, how to see it)
        (3, 64, 11, True, 23_296, "AlexNet's first layer: 3 × 64 × 11 × 11 + 64"),
        (1, 1, 3, True, 10, "one 3 × 3 kernel and one bias"),
        (1, 1, 3, False, 9, "one 3 × 3 kernel, no bias"),
        (64, 128, 3, True, 73_856, "a VGG layer: 64 × 128 × 3 × 3 + 128"),
        (256, 64, 1, False, 16_384, "a 1 × 1 convolution without bias, as in ResNet-50"),
        (2, 3, 5, True, 153, "2 × 3 × 5 × 5 + 3: one bias per *output* channel"),
    ]
    for c_in, c_out, k, bias, expected, why in cases:
        call = f"conv_params({c_in}, {c_out}, {k}, bias={bias})"
        got = _whole_number(conv_params(c_in, c_out, k, bias=bias), call)
        if got == expected:
            continue
        weights = c_in * c_out * k * k
        hint = ""
        if bias and got == weights:
            hint = " You forgot the biases: one per output channel."
        elif not bias and got == weights + c_out:
            hint = " With bias=False there is no bias term: count only the kernels."
        elif bias and got == weights + c_in:
            hint = " There is one bias per *output* channel, not per input channel."
        elif got in (c_in * c_out * k + (c_out if bias else 0), c_in * c_out * k * k * k):
            hint = " A kernel of size k is k × k: square the kernel size once."
        raise CheckFailed(f"{call}: expected {expected:,} ({why}), got {got:,}.{hint}")


# ---------------------------------------------------------------- 08.ex2: conv_macs
def check_ex2(conv_macs: object) -> None:
    """08.ex2: ``conv_macs(in_channels, out_channels, kernel, out_height, out_width)``."""
    expect(
        callable(conv_macs),
        "expected a function conv_macs(in_channels, out_channels, kernel, out_height, out_width).",
    )
    cases = [
        # (in, out, kernel, height, width, expected, how to see it)
        (3, 64, 11, 55, 55, 70_276_800, "AlexNet's first layer: 3 × 11² × 64 × 55 × 55"),
        (1, 1, 3, 1, 1, 9, "one 3 × 3 kernel, one output pixel: 9 multiply-adds"),
        (1, 1, 3, 2, 3, 54, "the same kernel at 2 × 3 output pixels"),
        (2, 4, 1, 3, 3, 72, "a 1 × 1 convolution: 2 inputs × 4 outputs × 9 pixels"),
        (64, 64, 3, 56, 56, 115_605_504, "a ResNet-18 layer: 64 × 3² × 64 × 56 × 56"),
    ]
    for c_in, c_out, k, h, w, expected, why in cases:
        call = f"conv_macs({c_in}, {c_out}, {k}, {h}, {w})"
        got = _whole_number(conv_macs(c_in, c_out, k, h, w), call)
        if got == expected:
            continue
        hint = ""
        if got == expected + c_out * h * w:
            hint = " The bias additions do not count as multiply-adds."
        elif got == expected // (h * w):
            hint = " That is for one output pixel: multiply by out_height × out_width."
        elif got == 2 * expected:
            hint = " That counts FLOPs (a multiply and an add): count each multiply-add once."
        elif got == c_in * c_out * k * k + c_out:
            hint = " That is the number of parameters; every kernel is used at every pixel."
        raise CheckFailed(f"{call}: expected {expected:,} ({why}), got {got:,}.{hint}")


# ---------------------------------------------------------------- 08.ex3: count_model_params
def _reference(specs: list) -> int:
    total = 0
    for kind, *sizes in specs:
        if kind == "conv":
            c_in, c_out, k = sizes
            total += c_in * c_out * k * k + c_out
        elif kind == "linear":
            n_in, n_out = sizes
            total += n_in * n_out + n_out
    return total


def check_ex3(count_model_params: object) -> None:
    """08.ex3: ``count_model_params(layer_specs)`` for conv, linear, pool and relu specs."""
    expect(callable(count_model_params), "expected a function count_model_params(layer_specs).")
    lenet = [("conv", 1, 6, 5), ("relu",), ("pool",), ("linear", 96, 10)]
    cases = [
        # (specs, how to write them, how to see it)
        (lenet, "[('conv', 1, 6, 5), ('relu',), ('pool',), ('linear', 96, 10)]",
         "156 for the convolution + 970 for the linear layer; relu and pool have none"),
        ([], "[]", "an empty network has no parameters"),
        ([("linear", 4, 3)], "[('linear', 4, 3)]", "4 × 3 weights + 3 biases"),
        ([("conv", 3, 8, 3)], "[('conv', 3, 8, 3)]", "3 × 8 × 3 × 3 + 8"),
        ([("pool",), ("relu",)], "[('pool',), ('relu',)]", "no layer with parameters"),
        ([["conv", 1, 2, 3], ["conv", 2, 2, 3], ["linear", 8, 2]],
         "[['conv', 1, 2, 3], ['conv', 2, 2, 3], ['linear', 8, 2]]",
         "specs given as lists: 20 + 38 + 18"),
    ]  # fmt: skip
    for specs, written, why in cases:
        call = f"count_model_params({written})"
        got = _whole_number(count_model_params(list(specs)), call)
        expected = _reference(specs)
        if got == expected:
            continue
        hint = ""
        biases = sum(s[2] for s in specs if s[0] in ("conv", "linear"))  # one per output
        if got == expected - biases:
            hint = " Every conv and linear layer here has a bias: one per output."
        raise CheckFailed(f"{call}: expected {expected:,} ({why}), got {got:,}.{hint}")


PUBLIC_CHECKS = {"08.ex1": check_ex1, "08.ex2": check_ex2, "08.ex3": check_ex3}
