"""Lesson 12's own tests: BPE by hand against Hugging Face's tokenizers, and the answers that
come from the bundled data.

- The notebook's ``train_bpe`` (run from its cells) learns the same merges, in the same order,
  as tokenizers' ``BpeTrainer`` on small random corpora full of ties: the tie rule of section
  4 (equal counts: the smallest pair of ids) is the library's.
- The reference of 12.ex1 (merges applied one after the other, in the order learned) cuts
  every graded word as a tokenizers ``BPE`` model built from the same merges does.
- The quiz's BPE questions and the experiment 12.ex3 hold the numbers the data gives, with
  the notebook's own treebank-style tokenizer.
"""

import json
import re
from collections import Counter

import numpy as np
import pytest
from graded_support import SECRET, STUDENTS
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from labkit.datasets import load
from labkit.lessons import exercises_for
from labkit.paths import lesson_sources

EXERCISES = {exercise.id: exercise for exercise in exercises_for("12")}
BPE_TOKENS, UNKNOWN, QUIZ = EXERCISES["12.ex1"], EXERCISES["12.ex3"], EXERCISES["12.ex5"]
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("12")]


def _notebook_namespace() -> dict:
    """What the notebook's cells define for the tokenizers and BPE by hand."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    namespace = {"re": re, "Counter": Counter, "np": np}
    for start in ("TREEBANK = re.compile(", "def count_pairs(", "def train_bpe("):
        [source] = [cell for cell in cells if cell.startswith(start)]
        exec(source, namespace)
    return namespace


NAMESPACE = _notebook_namespace()


def _library_merges(word_counts: dict[str, int], n_merges: int) -> list[tuple[str, str]]:
    """tokenizers' BPE merges for a word-frequency table, as section 5 trains it."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    alphabet = {char for word in word_counts for char in word}
    trainer = trainers.BpeTrainer(
        vocab_size=len(alphabet) + n_merges, special_tokens=[], show_progress=False
    )
    tokenizer.train_from_iterator([" ".join([w] * n) for w, n in word_counts.items()], trainer)
    return [tuple(m) for m in json.loads(tokenizer.to_str())["model"]["merges"]]


@pytest.mark.parametrize("seed", range(6))
def test_bpe_by_hand_learns_the_merges_of_tokenizers(seed):
    rng = np.random.default_rng(seed)
    letters = list("abAB01") if seed % 2 else list("abcde")  # code points: digits < A < a
    word_counts = {
        "".join(rng.choice(letters, size=int(rng.integers(1, 8)))): int(rng.integers(1, 4))
        for _ in range(40)
    }
    merges, _, _, tied = NAMESPACE["train_bpe"](word_counts, 30)
    assert sum(tied) >= 3, "the corpus must put the tie rule to work"
    library = _library_merges(word_counts, len(merges))
    assert merges == library[: len(merges)]


def _library_tokens(word: str, merges: list) -> list[str]:
    """``word`` cut by a tokenizers BPE model that holds ``merges``."""
    vocab = {char: i for i, char in enumerate(sorted(set(word)))}
    for left, right in merges:
        vocab.setdefault(left, len(vocab))
        vocab.setdefault(right, len(vocab))
        vocab.setdefault(left + right, len(vocab))
    model = models.BPE(vocab=vocab, merges=[tuple(m) for m in merges])
    return Tokenizer(model).encode(word).tokens


@pytest.mark.parametrize("student", STUDENTS)
def test_bpe_tokens_cuts_words_as_tokenizers_does(student):
    for case in BPE_TOKENS.make_cases(SECRET, student):
        word, merges = case.args
        assert case.expected == _library_tokens(word, merges), case.args


def test_the_quiz_bpe_answers_are_tokenizers():
    table = {"low": 5, "lower": 2, "newest": 6, "widest": 3}
    pairs = Counter()
    for word, count in table.items():
        for pair in zip(word[:-1], word[1:], strict=True):
            pairs[pair] += count
    assert pairs["e", "s"] == QUIZ.questions[2].answer == 9
    assert _library_merges(table, 1)[0] == ("e", "s")  # question 4, answer (a)
    assert NAMESPACE["train_bpe"](table, 1)[0] == [("e", "s")]


def test_the_quiz_treebank_count():
    assert len(NAMESPACE["treebank_tokens"]("I don't like it.")) == QUIZ.questions[0].answer


def test_the_unknown_words_answers_are_what_the_data_gives():
    data = load("sentiment_sentences")
    tokens = NAMESPACE["treebank_tokens"]
    for site, question in zip(("imdb", "amazon", "yelp"), UNKNOWN.questions, strict=False):
        known = {t for text in data.X[data.groups != site] for t in tokens(text.lower())}
        held = [t for text in data.X[data.groups == site] for t in tokens(text.lower())]
        share = np.mean([token not in known for token in held])
        assert round(share, 2) == question.answer, site
