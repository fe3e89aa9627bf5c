"""Public checks for lesson 07 (images and convolutions).

Every input here is small enough to work out on paper; the messages say which usual mistake
a wrong answer points to.
"""

from __future__ import annotations

import numpy as np

from labkit.selfcheck import CheckFailed, expect, expect_close

__all__ = ["PUBLIC_CHECKS"]


def _whole_number(value: object, call: str) -> int:
    """``value`` as an int, or a failed check saying that a whole number (an int) was expected."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating):
            raise CheckFailed(
                f"{call} returned {value!r}, a float: return an int. (a // b divides and "
                "rounds down to an int; math.ceil(x) rounds up to one.)"
            )
        raise CheckFailed(f"{call} should return an int; got {value!r}.")
    return int(value)


# ---------------------------------------------------------------- 07.ex1: conv2d_output_size
def check_ex1(conv2d_output_size: object) -> None:
    """07.ex1: ``conv2d_output_size(size, kernel, padding=0, stride=1)`` = ⌊(n + 2p − k)/s⌋ + 1."""
    expect(
        callable(conv2d_output_size),
        "expected a function conv2d_output_size(size, kernel, padding=0, stride=1).",
    )
    cases = [
        # (size, kernel, padding, stride, expected, how to see it)
        (8, 3, 0, 1, 6, "no padding: a 3-pixel kernel fits in 6 positions of 8 pixels"),
        (8, 3, 1, 1, 8, "'same' padding: padding 1 keeps the size for a 3-pixel kernel"),
        (8, 3, 1, 2, 4, "(8 + 2 - 3) // 2 + 1 = 4"),
        (7, 3, 0, 2, 3, "(7 - 3) // 2 + 1 = 3: the stride divides the distance exactly"),
        (6, 3, 0, 2, 2, "(6 - 3) // 2 + 1 = 2: the last column is never reached (round down)"),
        (5, 5, 0, 1, 1, "a kernel as large as the input fits in exactly one position"),
        (427, 7, 3, 4, 107, "(427 + 6 - 7) // 4 + 1 = 107"),
    ]
    for size, kernel, padding, stride, expected, why in cases:
        call = f"conv2d_output_size({size}, {kernel}, padding={padding}, stride={stride})"
        got = conv2d_output_size(size, kernel, padding=padding, stride=stride)
        got = _whole_number(got, call)
        if got == expected:
            continue
        distance = size + 2 * padding - kernel  # how far the kernel can move
        hint = ""
        if got == expected - 1:
            hint = " One too few: did you forget the + 1 that counts the first position?"
        elif padding and got == (size + padding - kernel) // stride + 1:
            hint = (
                " Padding is added on both sides: the padded input has size + 2 * padding pixels."
            )
        elif got == -(-distance // stride) + 1:
            hint = (
                " A position where the kernel does not fit completely does not count: round "
                "the division down (//), not up."
            )
        raise CheckFailed(f"{call}: expected {expected} ({why}), got {got}.{hint}")


# ---------------------------------------------------------------- 07.ex2: convolve2d
def _reference(image: np.ndarray, kernel: np.ndarray, padding: int, stride: int) -> np.ndarray:
    """Zero-pad, slide without flipping, multiply and add: what F.conv2d does."""
    padded = np.pad(np.asarray(image, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows[::stride, ::stride], kernel)


def _same(got: np.ndarray, expected: np.ndarray) -> bool:
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-6, atol=1e-9)


def check_ex2(convolve2d: object) -> None:
    """07.ex2: ``convolve2d(image, kernel, padding=0, stride=1)``, like F.conv2d on one channel."""
    expect(
        callable(convolve2d), "expected a function convolve2d(image, kernel, padding=0, stride=1)."
    )
    square = np.arange(9).reshape(3, 3)  # [[0 1 2] [3 4 5] [6 7 8]]
    ramp = np.arange(20, dtype=float).reshape(4, 5) / 4
    diagonal = np.array([[1.0, 0.0], [0.0, -1.0]])  # not symmetric: flipping it changes it
    cases = [
        # (image, kernel, how to write them, padding, stride, how to see it)
        (square, np.ones((2, 2)), "np.arange(9).reshape(3, 3), np.ones((2, 2))", 0, 1,
         "each output is the sum of a 2 × 2 block: [[8, 12], [20, 24]]"),
        (square, diagonal, "np.arange(9).reshape(3, 3), np.array([[1, 0], [0, -1]])", 0, 1,
         "top-left minus bottom-right of each block: all -4"),
        (square, np.ones((1, 1)), "np.arange(9).reshape(3, 3), np.ones((1, 1))", 1, 1,
         "a 1 × 1 kernel of 1 copies the image, inside a ring of zeros"),
        (ramp, diagonal, "np.arange(20).reshape(4, 5) / 4, np.array([[1, 0], [0, -1]])", 1, 2,
         "padding 1, then every second position in both directions"),
        (ramp, np.array([[1.0, 2.0, 3.0]]), "np.arange(20).reshape(4, 5) / 4, "
         "np.array([[1, 2, 3]])", 0, 2, "a 1 × 3 kernel: not square"),
        (np.arange(16).reshape(4, 4), np.full((3, 3), 1 / 9),
         "np.arange(16).reshape(4, 4), np.full((3, 3), 1 / 9)", 1, 1,
         "a 3 × 3 average of an integer image: the top-left corner is (0 + 1 + 4 + 5) / 9"),
    ]  # fmt: skip
    for image, kernel, written, padding, stride, why in cases:
        call = f"convolve2d({written}, padding={padding}, stride={stride})"
        result = convolve2d(image.copy(), kernel.copy(), padding=padding, stride=stride)
        try:
            got = np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            raise CheckFailed(
                f"{call} should return a 2-D array of numbers; got {result!r}."
            ) from None
        expected = _reference(image, kernel, padding, stride)
        expect(
            got.ndim == 2,
            f"{call} should return a 2-D array of shape {expected.shape}; got shape {got.shape}.",
        )
        if got.shape != expected.shape:
            hint = ""
            if got.shape == _reference(image, kernel, 0, stride).shape and padding:
                hint = " Did you forget the padding? np.pad(image, padding) adds the zeros."
            elif got.shape == _reference(image, kernel, padding, 1).shape and stride > 1:
                hint = " Did you ignore the stride? Move the kernel `stride` pixels at a time."
            raise CheckFailed(
                f"{call} returned shape {got.shape}; expected {expected.shape} ({why}).{hint}"
            )
        if not _same(got, expected):
            flipped = _reference(image, np.flip(kernel), padding, stride)
            if _same(got, flipped):
                raise CheckFailed(
                    f"{call} flipped the kernel: that is a true convolution. Like F.conv2d, slide "
                    f"the kernel as it is (a cross-correlation). ({why})"
                )
            whole = np.all(got == np.round(got)) and not np.all(expected == np.round(expected))
            if np.issubdtype(np.asarray(image).dtype, np.integer) and whole:
                raise CheckFailed(
                    f"{call} lost the decimals: the output array holds integers. Create it with "
                    f"np.zeros(shape), which holds floats, not np.zeros_like(image). ({why})"
                )
        expect_close(got, expected, what=f"{call} ({why})")


# ---------------------------------------------------------------- 07.ex3: image_bytes
def check_ex3(image_bytes: object) -> None:
    """07.ex3: ``image_bytes(width, height, channels, bits)``, whole bytes rounded up."""
    expect(callable(image_bytes), "expected a function image_bytes(width, height, channels, bits).")
    cases = [
        # (width, height, channels, bits, expected, how to see it)
        (640, 427, 3, 8, 819_840, "the photo of section 1 as uint8 RGB: 640 × 427 × 3 bytes"),
        (640, 427, 1, 8, 273_280, "the same photo in grayscale: a third"),
        (640, 427, 3, 32, 3_279_360, "as float32: 4 bytes per value"),
        (8, 8, 1, 16, 128, "an 8 × 8 image with 16 bits per value: 2 bytes each"),
        (16, 2, 1, 1, 4, "32 black-or-white pixels of 1 bit: 4 bytes"),
        (3, 3, 1, 1, 2, "9 bits do not fit in 1 byte: round up to 2"),
        (5, 1, 1, 4, 3, "5 values of 4 bits = 20 bits: round up to 3 bytes"),
    ]
    for width, height, channels, bits, expected, why in cases:
        call = f"image_bytes({width}, {height}, {channels}, {bits})"
        got = _whole_number(image_bytes(width, height, channels, bits), call)
        total_bits = width * height * channels * bits
        if got == total_bits:
            raise CheckFailed(f"{call} returned {got}, the number of bits: divide by 8. ({why})")
        if got == total_bits // 8 and total_bits % 8:
            raise CheckFailed(
                f"{call} returned {got}: {total_bits} bits do not fill whole bytes, so round up "
                f"(an incomplete byte still takes a byte). ({why})"
            )
        expect(got == expected, f"{call}: expected {expected:,} ({why}), got {got:,}.")


PUBLIC_CHECKS = {"07.ex1": check_ex1, "07.ex2": check_ex2, "07.ex3": check_ex3}
