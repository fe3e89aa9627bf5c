"""What each lesson's recorded metrics must reach, next to the score they must beat.

``smoke`` is the threshold for the test suite's tiny runs; ``default`` for the default run
recorded in ``notebooks/results.json``. ``baseline`` is chance or a trivial model: a
threshold only means something when it is clearly better than that.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expect:
    metric: str
    smoke: float
    default: float
    baseline: float
    baseline_is: str
    higher_is_better: bool = True

    def check(self, value: float, threshold: float) -> None:
        better = value >= threshold if self.higher_is_better else value <= threshold
        word = "at least" if self.higher_is_better else "at most"
        assert better, (
            f"{self.metric} = {value:.4g}, but it must be {word} {threshold} "
            f"(baseline: {self.baseline} = {self.baseline_is})"
        )


EXPECTATIONS: dict[str, list[Expect]] = {}
