"""Text as numbers for character-level models: a vocabulary, a split, training windows.

A character-level language model reads ``block_size`` characters and predicts, at every
position, the character that comes next. The three steps before training it:

>>> text = "to be or not to be"
>>> vocab = CharVocab(text)
>>> vocab.size, vocab.decode(vocab.encode("or not"))
(7, 'or not')
>>> train, val = split_text(text, val_fraction=0.25)
>>> train, val
('to be or not ', 'to be')
>>> X, y = next_char_windows(vocab.encode(train), block_size=4, count=2, seed=0)
>>> vocab.decode(X[0]), vocab.decode(y[0])  # y is X moved one character on
(' not', 'not ')

The split is the one of nanoGPT's ``shakespeare_char``: the first 90 % of the text for
training, the last 10 % for validation, so validation losses can be compared with its.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.validation import real_number, whole_number

__all__ = ["CharVocab", "next_char_windows", "sequence_cross_entropy", "split_text"]


class CharVocab:
    """The characters of a text, sorted, each given a number (its position in the list).

    >>> vocab = CharVocab("hello")
    >>> vocab.chars, vocab.encode("hell").tolist()
    (['e', 'h', 'l', 'o'], [1, 0, 2, 2])
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text:
            raise ValueError("CharVocab needs a non-empty string to collect its characters.")
        self.chars = sorted(set(text))
        self._number = {char: i for i, char in enumerate(self.chars)}

    @property
    def size(self) -> int:
        """How many different characters: the model's number of classes."""
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """The characters' numbers as a 1-D int64 tensor (an unknown character is an error)."""
        unknown = sorted(set(text) - self._number.keys())
        if unknown:
            raise ValueError(
                f"{len(unknown)} character(s) are not in the vocabulary, e.g. {unknown[:5]}. "
                "Build the CharVocab from a text that contains every character you encode."
            )
        return torch.tensor([self._number[char] for char in text], dtype=torch.int64)

    def decode(self, numbers: torch.Tensor | list[int]) -> str:
        """The text the numbers stand for."""
        values = numbers.tolist() if isinstance(numbers, torch.Tensor) else list(numbers)
        bad = [n for n in values if not isinstance(n, int) or not 0 <= n < self.size]
        if bad:
            raise ValueError(f"decode takes numbers from 0 to {self.size - 1}; got {bad[:5]}.")
        return "".join(self.chars[n] for n in values)

    def __repr__(self) -> str:
        return f"CharVocab({self.size} characters)"


def split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Cut a text in two: the first part for training, the last ``val_fraction`` for validation.

    Not shuffled: neighbouring characters belong together, and a model must be judged on a
    stretch of text it never read.

    >>> split_text("abcdefghij", 0.2)
    ('abcdefgh', 'ij')
    """
    val_fraction = real_number("val_fraction", val_fraction, above=0, maximum=0.5)
    cut = int(len(text) * (1 - val_fraction))
    if cut == 0 or cut == len(text):
        raise ValueError(
            f"A text of {len(text)} characters is too short to split at {val_fraction}."
        )
    return text[:cut], text[cut:]


def next_char_windows(
    ids: torch.Tensor, block_size: int, count: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` windows of ``block_size`` characters at random places, and their next characters.

    Returns ``(X, y)``, both of shape ``(count, block_size)``: ``y[i, t]`` is the character
    after ``X[i, t]``. The places are drawn from a generator seeded by ``seed``, so the same
    seed gives the same windows.

    >>> X, y = next_char_windows(torch.arange(10), block_size=3, count=2, seed=1)
    >>> bool((y == X + 1).all())
    True
    """
    block_size = whole_number("block_size", block_size, minimum=1)
    count = whole_number("count", count, minimum=1)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D tensor of character numbers; got shape {ids.shape}.")
    if len(ids) <= block_size:
        raise ValueError(
            f"A text of {len(ids)} characters has no window of {block_size} characters "
            "plus the one after it."
        )
    generator = torch.Generator().manual_seed(seed)
    starts = torch.randint(len(ids) - block_size, (count,), generator=generator)
    positions = starts[:, None] + torch.arange(block_size)
    return ids[positions], ids[positions + 1]


def sequence_cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy in nats over every position: ``outputs`` (B, T, V), ``targets`` (B, T).

    The loss function to give :func:`labkit.fit` for a model that predicts at every position.

    >>> uniform = torch.zeros(2, 3, 4)  # the same score for each of 4 characters
    >>> round(sequence_cross_entropy(uniform, torch.zeros(2, 3, dtype=torch.long)).item(), 4)
    1.3863
    """
    if outputs.ndim != 3 or outputs.shape[:2] != targets.shape:
        raise ValueError(
            f"outputs must be (batch, positions, classes) and targets (batch, positions); got "
            f"{tuple(outputs.shape)} and {tuple(targets.shape)}."
        )
    return F.cross_entropy(outputs.flatten(0, 1), targets.flatten())
