"""Lesson 15's own tests: the attention exercise against PyTorch, and the answers that come
from computations.

- The reference of 15.ex1 (NumPy) gives what ``F.scaled_dot_product_attention`` gives with the
  same boolean mask (True = may look), on every public example and graded input.
- The experiment 15.ex2 holds the numbers its protocol gives with PyTorch's seeded generator,
  and none of them sits near a rounding boundary.
- The quiz's numeric answers hold the numbers they stand for.
- The notebook's character mapping (section 8) writes every review sentence with the 65
  characters of the Shakespeare vocabulary.
"""

import json
import math
import unicodedata

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from graded_support import SECRET, STUDENTS

from labkit.datasets import load, load_corpus
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources
from labkit.text import CharVocab

EXERCISES = {exercise.id: exercise for exercise in exercises_for("15")}
ATTENTION, SCALING, QUIZ = EXERCISES["15.ex1"], EXERCISES["15.ex2"], EXERCISES["15.ex4"]
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("15")]


def _torch_attention(Q, K, V, mask):
    q, k, v = (torch.as_tensor(np.asarray(a, dtype=float)) for a in (Q, K, V))
    return F.scaled_dot_product_attention(q, k, v, attn_mask=torch.as_tensor(mask)).numpy()


@pytest.mark.parametrize("student", STUDENTS)
def test_masked_attention_matches_pytorch_on_the_graded_inputs(student):
    for case in ATTENTION.make_cases(SECRET, student):
        expected = _torch_attention(*case.args)
        np.testing.assert_allclose(case.expected, expected, rtol=1e-9, atol=1e-12)


def test_masked_attention_matches_pytorch_on_the_public_examples():
    for example in ATTENTION.examples:
        got = ATTENTION.reference(*example.args)
        np.testing.assert_allclose(got, _torch_attention(*example.args), rtol=1e-9, atol=1e-12)


def test_the_scaling_experiment_holds_the_measured_numbers():
    g = torch.Generator().manual_seed(0)
    measured = []
    for d in (16, 256):
        q = torch.randn(1000, d, generator=g)
        k = torch.randn(64, d, generator=g)
        for divide in (1.0, math.sqrt(d)):
            measured.append((q @ k.T / divide).softmax(dim=1).max(dim=1).values.mean().item())
    unscaled_16, _, unscaled_256, scaled_256 = measured
    answers = [question.answer for question in SCALING.questions[:3]]
    for value, answer in zip((unscaled_16, unscaled_256, scaled_256), answers, strict=True):
        assert round(value, 2) == answer
        assert abs(value * 100 % 1 - 0.5) > 0.1  # not near a rounding edge


def test_the_quiz_numbers():
    answers = [question.answer for question in QUIZ.questions]
    assert answers[0] == 8 * 512 * 512  # weights of 8 heads over 512 positions
    assert answers[1] == 96 // 4  # width per head
    assert answers[4] == round(math.exp(2.0), 2)  # perplexity of 2 nats per character
    assert answers[5] == 4**2  # memory of N x N scores when N grows 4 times


def _notebook_namespace() -> dict:
    """What the notebook's cells define for the character mapping of section 8."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    vocab = CharVocab(load_corpus("tinyshakespeare"))
    namespace = {"unicodedata": unicodedata, "vocab": vocab}
    [source] = [cell for cell in cells if cell.startswith("SWAP = {")]
    exec(source, namespace)
    return namespace


def test_every_review_sentence_maps_into_the_vocabulary():
    namespace = _notebook_namespace()
    vocab, to_vocabulary = namespace["vocab"], namespace["to_vocabulary"]
    sentences = [to_vocabulary(text) for text in load("sentiment_sentences").X]
    assert all(set(s) <= set(vocab.chars) for s in sentences)
    assert not any("\n" in s for s in sentences)  # the newline is the padding character
    assert to_vocabulary('Café "great" (10/10)') == "Cafe 'great' ,33-33,"
