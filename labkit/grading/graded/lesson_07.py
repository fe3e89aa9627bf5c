"""Graded checks for lesson 07 (images and convolutions).

- ``07.ex1``: ``conv2d_output_size(size, kernel, padding, stride)`` with no padding, "same"
  padding, a stride that divides the distance exactly and one that does not (the floor
  matters), a kernel as large as the padded input, a 1-pixel kernel with a stride, padding
  larger than the kernel, and an even kernel.
- ``07.ex2``: ``convolve2d(image, kernel, padding, stride)`` on float and integer images, square
  and non-square images and kernels, kernels that are not symmetric (so a flipped kernel
  fails), padding, strides that do and do not divide the distance, and a kernel as large as
  the image.
- ``07.ex3``: ``image_bytes(width, height, channels, bits)`` for 8-bit RGB and grayscale,
  16 and 32 bits, and 1, 4 and 12 bits with a total that is not a whole number of bytes.

``07.ex1`` and ``07.ex3`` ask for an ``int``, and an answer comes back from the kernel with its
numbers as Python ints or floats, so their judge accepts only ints: 4.0 pixels is not a size.
``07.ex2`` is judged with the default (numbers within a relative 1e-6, element by element, so a
wrong shape fails). The padding and the stride are passed by name, as in the notebook's
calls. The public checks (``labkit/exercises/lesson_07.py``) use small fixed examples; these
draw other inputs from ``rng``, a generator seeded by the course secret and the student.
"""

from __future__ import annotations

import numpy as np

from labkit.grading.exercise import Case, GradedExercise

__all__ = ["EXERCISES"]


def _same_integer(got: object, expected: object) -> bool:
    """True if ``got`` is an int (not a bool, not a float) equal to ``expected``; never raises.

    Examples
    --------
    >>> _same_integer(4, 4), _same_integer(4.0, 4), _same_integer(True, 1), _same_integer("4", 4)
    (True, False, False, False)
    """
    # type() rather than isinstance(): True is an instance of int, but not a size.
    return type(got) is int and got == int(expected)


# ---------------------------------------------------------------- 07.ex1: conv2d_output_size
def _output_size(size: int, kernel: int, padding: int, stride: int) -> int:
    """Positions of a ``kernel``-pixel window, moved ``stride`` at a time, over the padded input."""
    return len(range(0, size + 2 * padding - kernel + 1, stride))  # counted, not the formula


def _size_cases(rng: np.random.Generator) -> list[Case]:
    """Eight (size, kernel, padding, stride) sets covering the edge cases of the task.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=values, expected=_output_size(*values)) for values in sets]


# ---------------------------------------------------------------- 07.ex2: convolve2d
def _convolve(image: np.ndarray, kernel: np.ndarray, padding: int, stride: int) -> np.ndarray:
    """Zero-pad, slide the kernel without flipping it, multiply and add: F.conv2d's result."""
    padded = np.pad(np.asarray(image, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows[::stride, ::stride], kernel)


def _convolve_cases(rng: np.random.Generator) -> list[Case]:
    """Seven (image, kernel, padding, stride) sets covering the edge cases of the task.

    Every kernel has random weights, so it is never symmetric: a learner who flips it fails.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=values, expected=_convolve(*values)) for values in sets]


# ---------------------------------------------------------------- 07.ex3: image_bytes
def _bytes(width: int, height: int, channels: int, bits: int) -> int:
    """Whole bytes for width × height × channels values of ``bits`` bits (rounded up)."""
    total_bits = width * height * channels * bits
    return total_bits // 8 + (1 if total_bits % 8 else 0)


def _bytes_cases(rng: np.random.Generator) -> list[Case]:
    """Seven (width, height, channels, bits) sets: common formats and incomplete bytes.

    Parameters
    ----------
    rng : np.random.Generator
        Seeded from the course secret, the student and the exercise.

    Returns
    -------
    list of Case
    """

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
    return [Case(args=values, expected=_bytes(*values)) for values in sets]


EXERCISES: list[GradedExercise] = [
    GradedExercise(
        id="07.ex1",
        name="conv2d_output_size",
        points=2,
        cases=_size_cases,
        expression="conv2d_output_size(args[0], args[1], padding=args[2], stride=args[3])",
        judge=_same_integer,
    ),
    GradedExercise(
        id="07.ex2",
        name="convolve2d",
        points=4,
        cases=_convolve_cases,
        expression="convolve2d(args[0], args[1], padding=args[2], stride=args[3])",
    ),
    GradedExercise(
        id="07.ex3", name="image_bytes", points=2, cases=_bytes_cases, judge=_same_integer
    ),
]
