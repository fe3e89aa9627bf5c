"""Lesson 13's own tests: what the lesson claims of its word2vec, run from its cells.

- CBOW's epoch takes less CPU time than skip-gram's on the designed corpus (the recorded metric
  ``pairs_per_window`` is the count behind it; the time itself varies, so it is asserted here
  with a wide margin, not stored).
- In CBOW each context word receives the gradient of the mean divided by the number of real
  context words (section 8's argument for the matched rate), and the model's loss is the mean
  of 13.ex1's reference over the batch, noise words included.
- The answers of the experiment 13.ex3 (the smallest rate at which each model's loss explodes)
  and of the quiz's counting questions hold with the notebook's own functions.
"""

import json
import time

import numpy as np
import pytest
import torch

from labkit.lessons import exercises_for
from labkit.lessons.lesson_13 import pair_loss
from labkit.paths import lesson_sources

EXERCISES = {exercise.id: exercise for exercise in exercises_for("13")}
[NOTEBOOK] = [path for path in lesson_sources() if path.name.startswith("13")]
# The cells that define the lesson's functions, by the start of their source.
DEFINITIONS = (
    "SMOKE = False",
    "import itertools",
    "GROUPS = {",
    "RARE = {",
    "def make_corpus(",
    "def build_vocab(",
    "def skipgram_pairs(",
    "def noise_distribution(",
    "def sgns_loss(",
    "class Word2Vec(",
    "def train(",
)
TRUNCATED = ("def build_vocab(", "def noise_distribution(", "def sgns_loss(")


def _notebook_namespace() -> dict:
    cells = [
        "".join(c["source"])
        for c in json.loads(NOTEBOOK.read_text())["cells"]
        if c["cell_type"] == "code"
    ]
    namespace: dict = {}
    for start in DEFINITIONS:
        [source] = [cell for cell in cells if cell.startswith(start)]
        if start in TRUNCATED:  # the cell goes on to use the function: only the function
            source = source.split("\n\n\n")[0]
        exec(source, namespace)
    exec("import labkit", namespace)
    return namespace


NS = _notebook_namespace()


@pytest.fixture(scope="module")
def corpus():
    sentences = NS["make_corpus"](4000, 0)
    words, index, counts = NS["build_vocab"](sentences)
    return [[index[w] for w in sentence] for sentence in sentences], counts


def test_cbow_epochs_take_less_cpu_time_than_skipgram_epochs(corpus):
    torch.set_num_threads(1)
    ids, counts = corpus
    seconds = {}
    for kind in ("skip-gram", "cbow"):
        NS["train"](kind, ids, counts, rate=0.025, seed=0, epochs=1, progress=False)  # warm-up
        start = time.process_time()
        NS["train"](kind, ids, counts, rate=0.025, seed=0, epochs=3, progress=False)
        seconds[kind] = time.process_time() - start
    # Measured on one thread: 2.2 times (2.9 times fewer examples).
    assert seconds["skip-gram"] > 1.5 * seconds["cbow"], seconds


def test_each_cbow_context_word_gets_the_mean_gradient_divided_by_their_number():
    torch.manual_seed(0)
    model = NS["Word2Vec"](10, 4, NS["noise_distribution"](np.arange(10) + 1))
    torch.nn.init.normal_(model.contexts.weight)
    windows = torch.tensor([[1, 2, 3, 4], [0, 5, 6, 0]])  # 4 real words, then 2 and <pad>
    h = model(windows)
    h.retain_grad()
    model.loss(h, torch.tensor([7, 8])).backward()
    grad = model.vectors.weight.grad
    for row, real in ((0, 4), (1, 2)):
        for word in windows[row][windows[row] > 0].tolist():
            assert torch.allclose(grad[word], h.grad[row] / real, atol=1e-7)
    assert torch.equal(grad[0], torch.zeros(4))  # <pad> never learns


def test_the_models_loss_is_the_mean_of_the_reference_pair_loss():
    torch.manual_seed(0)
    model = NS["Word2Vec"](12, 5, NS["noise_distribution"](np.arange(12) + 1), negatives=3)
    torch.nn.init.normal_(model.contexts.weight)
    centres, targets = torch.tensor([1, 4, 7, 9]), torch.tensor([2, 2, 11, 3])
    with torch.no_grad():
        h = model(centres)
        torch.manual_seed(1)
        loss = model.loss(h, targets).item()
        torch.manual_seed(1)  # the same noise words again
        noise = torch.multinomial(model.noise, 4 * 3, replacement=True).view(4, 3)
    u = model.contexts.weight.detach().numpy()
    expected = [pair_loss(h[i].numpy(), u[targets[i]], u[noise[i]]) for i in range(len(centres))]
    assert loss == pytest.approx(np.mean(expected), rel=1e-5)


def test_the_rates_of_the_experiment_explode_where_its_answers_say(corpus):
    ids, counts = corpus
    answers = dict(enumerate((q.answer for q in EXERCISES["13.ex3"].questions), start=1))
    for kind, question in (("skip-gram", 1), ("cbow", 2)):
        stopped = []
        for rate in (0.05, 0.1, 0.2, 0.4):
            _, history, _ = NS["train"](
                kind, ids, counts, rate=rate, seed=0, epochs=2, progress=False
            )
            stopped.append(history.epochs < 2)
        smallest = min(r for r, s in zip((0.05, 0.1, 0.2, 0.4), stopped, strict=True) if s)
        assert smallest == answers[question], (kind, stopped)
        assert stopped == sorted(stopped), "a larger rate must not be more stable here"


def test_the_quizs_counting_answers():
    answers = dict(enumerate((q.answer for q in EXERCISES["13.ex5"].questions), start=1))
    sentence = [[1, 2, 3, 4, 5]]
    assert len(NS["skipgram_pairs"](sentence, 2)[0]) == answers[1]
    assert len(NS["cbow_windows"](sentence, 2)[0]) == answers[2]
    assert 1 + NS["NEGATIVES"] == answers[3]
    assert round(16**0.75) == answers[4]
