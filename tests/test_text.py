"""labkit.text: the character vocabulary, the split and the training windows."""

import pytest
import torch

from labkit.datasets import load_corpus
from labkit.text import CharVocab, next_char_windows, sequence_cross_entropy, split_text


def test_tinyshakespeare_matches_nanogpt_shakespeare_char():
    # nanoGPT's data/shakespeare_char/prepare.py: 65 characters, 1 003 854 train, 111 540 val.
    text = load_corpus("tinyshakespeare")
    vocab = CharVocab(text)
    train, val = split_text(text)
    assert vocab.size == 65
    assert (len(train), len(val)) == (1_003_854, 111_540)
    assert train + val == text


def test_encode_decode_round_trip_and_errors():
    vocab = CharVocab("abc ")
    assert vocab.decode(vocab.encode("a cab")) == "a cab"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("abz")
    with pytest.raises(ValueError, match="from 0 to 3"):
        vocab.decode([0, 4])
    with pytest.raises(ValueError, match="non-empty"):
        CharVocab("")


def test_windows_are_next_characters_and_seeded():
    ids = torch.arange(100)
    X, y = next_char_windows(ids, block_size=8, count=50, seed=3)
    assert X.shape == y.shape == (50, 8)
    assert torch.equal(y, X + 1)  # y is X one character on, at every position
    assert int(y.max()) <= 99  # the last target is inside the text
    X2, _ = next_char_windows(ids, block_size=8, count=50, seed=3)
    assert torch.equal(X, X2)
    with pytest.raises(ValueError, match="no window"):
        next_char_windows(torch.arange(5), block_size=5, count=1, seed=0)


def test_split_rejects_bad_fractions():
    with pytest.raises(ValueError, match="val_fraction"):
        split_text("abcdef", 0.0)
    with pytest.raises(ValueError, match="val_fraction"):
        split_text("abcdef", 0.9)
    with pytest.raises(ValueError, match="too short"):
        split_text("a", 0.1)


def test_sequence_cross_entropy_equals_per_position_mean():
    outputs = torch.randn(2, 3, 5, generator=torch.Generator().manual_seed(0))
    targets = torch.tensor([[0, 1, 2], [3, 4, 0]])
    by_hand = torch.stack(
        [-outputs[b, t].log_softmax(-1)[targets[b, t]] for b in range(2) for t in range(3)]
    ).mean()
    assert torch.allclose(sequence_cross_entropy(outputs, targets), by_hand)
    with pytest.raises(ValueError, match="batch, positions"):
        sequence_cross_entropy(outputs[0], targets)
