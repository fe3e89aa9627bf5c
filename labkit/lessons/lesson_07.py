"""Lesson 07 (images and convolutions): exercises and expected results.

- ``07.ex1``: ``conv2d_output_size(size, kernel, padding, stride)`` as an int, with no
  padding, "same" padding, a stride that divides the distance exactly and one that does not
  (the floor matters), a kernel as large as the padded input, a 1-pixel kernel with a
  stride, padding larger than the kernel, and an even kernel.
- ``07.ex2``: ``convolve2d(image, kernel, padding, stride)``, like F.conv2d on one channel,
  on float and integer images, square and non-square images and kernels, kernels that are
  not symmetric (so a flipped kernel fails), padding, strides that do and do not divide the
  distance, and a kernel as large as the image.
- ``07.ex3``: ``image_bytes(width, height, channels, bits)`` as an int, for 8-bit RGB and
  grayscale, 16 and 32 bits, and 1, 4 and 12 bits with a total that is not a whole number
  of bytes (rounded up).

The padding and the stride are passed by name, as in the notebook's calls.
"""

from __future__ import annotations

import numpy as np

from labkit.exercises import judges
from labkit.exercises.declare import CHANCE_10, INT_HINT, Example, Exercise, Expect, Mistake

__all__ = ["EXERCISES", "EXPECTATIONS"]

KEYWORDS = "{}(args[0], args[1], padding=args[2], stride=args[3])"


# ---------------------------------------------------------------- 07.ex1: conv2d_output_size
def conv2d_output_size(size, kernel, padding=0, stride=1):
    """Positions of a ``kernel``-pixel window, moved ``stride`` at a time, over the padded input."""
    return len(range(0, size + 2 * padding - kernel + 1, stride))  # counted, not the formula


def _size_inputs(rng: np.random.Generator) -> list[tuple]:
    """Eight (size, kernel, padding, stride) sets covering the edge cases of the task."""

    def odd(low: int, high: int) -> int:
        return 2 * int(rng.integers(low, high)) + 1

    sets = []
    sets.append((int(rng.integers(6, 300)), odd(1, 4), 0, 1))  # no padding, stride 1
    kernel = odd(1, 4)
    sets.append((int(rng.integers(6, 300)), kernel, (kernel - 1) // 2, 1))  # "same" padding
    # A stride that does not divide the distance: rounding up or to nearest gives one more.
    stride = int(rng.integers(2, 5))
    kernel, padding = odd(1, 3), int(rng.integers(0, 3))
    distance = stride * int(rng.integers(3, 40)) + int(rng.integers(1, stride))
    sets.append((distance + kernel - 2 * padding, kernel, padding, stride))
    # A stride that divides the distance exactly.
    stride, kernel = int(rng.integers(2, 5)), odd(0, 3)
    sets.append((stride * int(rng.integers(3, 40)) + kernel, kernel, 0, stride))
    # The kernel is as large as the padded input: exactly one position.
    size, padding = int(rng.integers(2, 12)), int(rng.integers(0, 3))
    sets.append((size, size + 2 * padding, padding, int(rng.integers(1, 4))))
    # A 1-pixel kernel with a stride: every stride-th pixel, ceil(size / stride) of them.
    sets.append((int(rng.integers(10, 200)), 1, 0, int(rng.integers(2, 6))))
    # More padding than kernel: the output is larger than the input.
    kernel = int(rng.integers(1, 4))
    sets.append((int(rng.integers(4, 50)), kernel, kernel + int(rng.integers(1, 4)), 1))
    # An even kernel, with padding and a stride.
    sets.append((int(rng.integers(20, 200)), 2 * int(rng.integers(1, 4)), 1, 2))
    return sets


def _size_padding_once(size, kernel, padding=0, stride=1):
    return (size + padding - kernel) // stride + 1


def _size_without_plus_one(size, kernel, padding=0, stride=1):
    return (size + 2 * padding - kernel) // stride


def _size_rounded_up(size, kernel, padding=0, stride=1):
    return -(-(size + 2 * padding - kernel) // stride) + 1


def _size_as_float(size, kernel, padding=0, stride=1):
    return (size + 2 * padding - kernel) // stride + 1.0


# ---------------------------------------------------------------- 07.ex2: convolve2d
def convolve2d(image, kernel, padding=0, stride=1):
    """Zero-pad, slide the kernel without flipping it, multiply and add: F.conv2d's result."""
    padded = np.pad(np.asarray(image, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows[::stride, ::stride], kernel)


def _convolve_inputs(rng: np.random.Generator) -> list[tuple]:
    """Seven (image, kernel, padding, stride) sets; every kernel random, so never symmetric."""

    def floats(*shape: int) -> np.ndarray:
        return np.round(rng.normal(0, 1, size=shape), 2)

    def side(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    sets = []
    sets.append((floats(side(5, 10), side(5, 10)), floats(3, 3), 0, 1))  # plain valid
    sets.append((floats(side(4, 7), side(8, 12)), floats(2, 3), 0, 1))  # nothing square
    sets.append((floats(side(5, 10), side(5, 10)), floats(3, 3), 1, 1))  # "same" padding
    # Stride 2 or 3 on sizes it does not divide, without padding.
    stride = side(2, 3)
    rows, cols = stride * side(2, 4) + 3 + 1, stride * side(2, 4) + 3 + side(1, stride - 1)
    sets.append((floats(rows, cols), floats(3, 3), 0, stride))
    # Padding 2 and stride 2 with a 4 × 4 kernel, on an integer image (0 to 255, as int64).
    image = rng.integers(0, 256, size=(side(6, 11), side(6, 11)))
    sets.append((image, floats(4, 4), 2, 2))
    # The kernel is as large as the image: a single output pixel.
    rows, cols = side(2, 5), side(2, 5)
    sets.append((floats(rows, cols), floats(rows, cols), 0, side(1, 3)))
    # A 1 × 1 kernel with padding and stride 3: a scaled copy of every third pixel.
    sets.append((floats(side(7, 12), side(7, 12)), floats(1, 1), 1, 3))
    return sets


def _true_convolution(image, kernel, padding=0, stride=1):  # flips the kernel
    return convolve2d(image, np.flip(np.asarray(kernel)), padding, stride)


def _convolve_without_padding(image, kernel, padding=0, stride=1):
    return convolve2d(image, kernel, 0, stride)


def _convolve_ignoring_stride(image, kernel, padding=0, stride=1):
    return convolve2d(image, kernel, padding, 1)


def _convolve_integer_output(image, kernel, padding=0, stride=1):
    out = convolve2d(image, kernel, padding, stride)
    return out.astype(np.asarray(image).dtype)  # np.zeros_like(image) truncates int images


def _convolve_stride_on_one_axis(image, kernel, padding=0, stride=1):
    padded = np.pad(np.asarray(image, dtype=float), padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, np.shape(kernel))
    return np.einsum("ijkl,kl->ij", windows[::stride, :], kernel)


# ---------------------------------------------------------------- 07.ex3: image_bytes
def image_bytes(width, height, channels, bits):
    """Whole bytes for width × height × channels values of ``bits`` bits (rounded up)."""
    total_bits = width * height * channels * bits
    return total_bits // 8 + (1 if total_bits % 8 else 0)


def _bytes_inputs(rng: np.random.Generator) -> list[tuple]:
    """Seven (width, height, channels, bits) sets: common formats and incomplete bytes."""

    def odd(low: int, high: int) -> int:
        return 2 * int(rng.integers(low // 2, high // 2)) + 1

    sets = []
    sets.append((int(rng.integers(100, 4000)), int(rng.integers(100, 3000)), 3, 8))  # uint8 RGB
    sets.append((int(rng.integers(8, 1000)), int(rng.integers(8, 1000)), 1, 8))  # grayscale
    sets.append((int(rng.integers(8, 1000)), int(rng.integers(8, 1000)), 3, 32))  # float32 RGB
    sets.append((int(rng.integers(8, 500)), int(rng.integers(8, 500)), 4, 16))  # 16-bit RGBA
    # Bitmaps of 1 bit per pixel whose pixel count is not a multiple of 8.
    sets.append((odd(3, 200), odd(3, 200), 1, 1))
    sets.append((odd(1, 30), 1, 1, 4))  # an odd number of 4-bit values: half a byte left over
    sets.append((odd(3, 300), odd(3, 300), 1, 12))  # 12-bit raw values, an odd count
    return sets


def _bytes_in_bits(width, height, channels, bits):
    return width * height * channels * bits


def _bytes_rounded_down(width, height, channels, bits):
    return width * height * channels * bits // 8


def _bytes_as_float(width, height, channels, bits):
    return width * height * channels * bits / 8


SQUARE, RAMP = np.arange(9).reshape(3, 3), np.arange(20).reshape(4, 5) / 4
DIAGONAL = np.array([[1.0, 0.0], [0.0, -1.0]])  # not symmetric: flipping it changes it

EXERCISES = [
    Exercise(
        id="07.ex1",
        name="conv2d_output_size",
        points=2,
        reference=conv2d_output_size,
        examples=[
            Example((8, 3, 0, 1), "no padding: a 3-pixel kernel fits in 6 positions of 8 pixels"),
            Example((8, 3, 1, 1), "'same' padding: padding 1 keeps the size for a 3-pixel kernel"),
            Example((8, 3, 1, 2), "(8 + 2 - 3) // 2 + 1 = 4"),
            Example((7, 3, 0, 2), "(7 - 3) // 2 + 1 = 3: the stride divides the distance exactly"),
            Example(
                (6, 3, 0, 2), "(6 - 3) // 2 + 1 = 2: the last column is never reached (round down)"
            ),
            Example((5, 5, 0, 1), "a kernel as large as the input fits in exactly one position"),
            Example((427, 7, 3, 4), "(427 + 6 - 7) // 4 + 1 = 107"),
        ],
        inputs=_size_inputs,
        mistakes=[  # padding once before the + 1: on 'same' padding both are one too few
            Mistake(
                _size_padding_once,
                "Padding is added on both sides: the padded input has size + 2 * padding pixels.",
            ),
            Mistake(
                _size_without_plus_one,
                "One too few: did you forget the + 1 that counts the first position?",
            ),
            Mistake(
                _size_rounded_up,
                "A position where the kernel does not fit completely "
                "does not count: round the division down (//), not up.",
            ),
            Mistake(_size_as_float, INT_HINT),
        ],
        judge=judges.same_integers,
        expression=KEYWORDS.format("conv2d_output_size"),
    ),
    Exercise(
        id="07.ex2",
        name="convolve2d",
        points=4,
        reference=convolve2d,
        examples=[
            Example(
                (SQUARE, np.ones((2, 2)), 0, 1),
                "each output is the sum of a 2 × 2 block: [[8, 12], [20, 24]]",
            ),
            Example((SQUARE, DIAGONAL, 0, 1), "top-left minus bottom-right of each block: all -4"),
            Example(
                (SQUARE, np.ones((1, 1)), 1, 1),
                "a 1 × 1 kernel of 1 copies the image, inside a ring of zeros",
            ),
            Example(
                (RAMP, DIAGONAL, 1, 2), "padding 1, then every second position in both directions"
            ),
            Example((RAMP, np.array([[1.0, 2.0, 3.0]]), 0, 2), "a 1 × 3 kernel: not square"),
            Example(
                (np.arange(16).reshape(4, 4), np.full((3, 3), 1 / 9), 1, 1),
                "a 3 × 3 average of an integer image: the top-left corner is (0 + 1 + 4 + 5) / 9",
            ),
        ],
        inputs=_convolve_inputs,
        mistakes=[
            Mistake(
                _true_convolution,
                "You flipped the kernel: that is a true convolution. "
                "Like F.conv2d, slide the kernel as it is (a cross-correlation).",
            ),
            Mistake(
                _convolve_without_padding,
                "Did you forget the padding? np.pad(image, padding) adds the zeros.",
            ),
            Mistake(
                _convolve_ignoring_stride,
                "Did you ignore the stride? Move the kernel `stride` pixels at a time.",
            ),
            Mistake(
                _convolve_integer_output,
                "The decimals are lost: the output array holds "
                "integers. Create it with np.zeros(shape), which holds floats, not "
                "np.zeros_like(image).",
            ),
            Mistake(_convolve_stride_on_one_axis),  # strides the rows only
        ],
        expression=KEYWORDS.format("convolve2d"),
    ),
    Exercise(
        id="07.ex3",
        name="image_bytes",
        points=2,
        reference=image_bytes,
        examples=[
            Example((640, 427, 3, 8), "the photo of section 1 as uint8 RGB: 640 × 427 × 3 bytes"),
            Example((640, 427, 1, 8), "the same photo in grayscale: a third"),
            Example((640, 427, 3, 32), "as float32: 4 bytes per value"),
            Example((8, 8, 1, 16), "an 8 × 8 image with 16 bits per value: 2 bytes each"),
            Example((16, 2, 1, 1), "32 black-or-white pixels of 1 bit: 4 bytes"),
            Example((3, 3, 1, 1), "9 bits do not fit in 1 byte: round up to 2"),
            Example((5, 1, 1, 4), "5 values of 4 bits = 20 bits: round up to 3 bytes"),
        ],
        inputs=_bytes_inputs,
        mistakes=[
            Mistake(_bytes_in_bits, "That is the number of bits: divide by 8."),
            Mistake(
                _bytes_rounded_down,
                "The bits do not fill whole bytes, so round up (an "
                "incomplete byte still takes a byte).",
            ),
            Mistake(_bytes_as_float, INT_HINT),
        ],
        judge=judges.same_integers,
    ),
]


EXPECTATIONS = [
    Expect("cnn_test_accuracy", smoke=0.70, default=0.975, baseline=0.10, baseline_is=CHANCE_10),
    Expect("mlp_test_accuracy", smoke=0.70, default=0.93, baseline=0.10, baseline_is=CHANCE_10),
    Expect(
        "conv_max_abs_difference",
        smoke=1e-5,
        default=1e-5,
        baseline=1.0,
        baseline_is="a flipped or misplaced kernel (differences of a pixel's size)",
        higher_is_better=False,
    ),
]
