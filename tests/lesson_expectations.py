"""What each lesson's recorded metrics must reach, next to the score they must beat.

``smoke`` is the threshold for the test suite's tiny runs; ``default`` for the default run
recorded in ``notebooks/results.json``. ``baseline`` is chance or a trivial model: a
threshold only means something when it is clearly better than that.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expect:
    metric: str
    smoke: float | None  # None: not checked in smoke runs (too small to show the effect)
    default: float
    baseline: float
    baseline_is: str
    higher_is_better: bool = True

    def check(self, value: float, threshold: float | None) -> None:
        if threshold is None:
            return
        better = value >= threshold if self.higher_is_better else value <= threshold
        word = "at least" if self.higher_is_better else "at most"
        assert better, (
            f"{self.metric} = {value:.4g}, but it must be {word} {threshold} "
            f"(baseline: {self.baseline} = {self.baseline_is})"
        )


CHANCE_10 = "chance with 10 balanced classes (always the most common digit: 0.101)"

WINE_MAJORITY = "always the most common grape variety on the 36 test wines"
FLAT_MEAN = "always the mean training price (test MAE, k€)"

MOONS_MAJORITY = "always the most common class (two balanced generated moons)"
BENIGN_85 = "always answering 'benign' on the 85 test patients"

BENIGN = "always answering 'benign' on the test set"

EXPECTATIONS: dict[str, list[Expect]] = {
    "00_welcome": [
        Expect("test_accuracy", smoke=0.80, default=0.95, baseline=0.10, baseline_is=CHANCE_10)
    ],
    "01_models_weights_loss": [
        Expect(
            "test_accuracy",
            smoke=0.90,
            default=0.95,
            baseline=0.624,
            baseline_is="always answering 'benign' on the test set",
        ),
        Expect(
            "rule_test_accuracy",
            smoke=0.85,
            default=0.85,
            baseline=0.624,
            baseline_is="always answering 'benign' on the test set",
        ),
        # Early stopping must save real compute in the default run (smoke runs are too short).
        Expect(
            "epochs_saved",
            smoke=None,
            default=30,
            baseline=0,
            baseline_is="training all epochs without early stopping",
        ),
    ],
    "02_dividing_data": [
        Expect("test_accuracy", smoke=0.75, default=0.80, baseline=0.10, baseline_is=CHANCE_10),
        Expect(
            "clean_test_accuracy", smoke=0.75, default=0.75, baseline=0.10, baseline_is=CHANCE_10
        ),
        # The demonstration: duplicates across the split inflate the score by at least 3 points.
        Expect(
            "contamination_gap",
            smoke=0.03,
            default=0.03,
            baseline=0.0,
            baseline_is="no inflation without duplicates",
        ),
        # Cutting a label-sorted file without shuffling tests on classes never trained on.
        Expect(
            "unshuffled_test_accuracy",
            smoke=0.05,
            default=0.05,
            baseline=0.10,
            baseline_is=CHANCE_10,
            higher_is_better=False,
        ),
        Expect("cv_mean_accuracy", smoke=0.78, default=0.78, baseline=0.10, baseline_is=CHANCE_10),
        # Drift: fainter ink must visibly hurt a model trained on the original images.
        Expect(
            "drift_accuracy",
            smoke=0.70,
            default=0.70,
            baseline=0.84,
            baseline_is="the same tree's accuracy without drift",
            higher_is_better=False,
        ),
    ],
    "03_tabular_data": [
        Expect(
            "knn_scaled_accuracy",
            smoke=0.85,
            default=0.90,
            baseline=0.389,
            baseline_is=WINE_MAJORITY,
        ),
        # The lesson's point: the same 5-NN gains at least 10 points from standardisation.
        Expect(
            "knn_scaling_gain",
            smoke=0.10,
            default=0.10,
            baseline=0.0,
            baseline_is="no gain: scaling changes nothing",
        ),
        Expect(
            "knn_raw_accuracy",
            smoke=0.85,
            default=0.85,
            baseline=0.972,
            baseline_is="the same 5-NN on standardised columns",
            higher_is_better=False,
        ),
        Expect(
            "logreg_accuracy", smoke=0.85, default=0.90, baseline=0.389, baseline_is=WINE_MAJORITY
        ),
        Expect(
            "gd_scaled_test_mae",
            smoke=25.0,
            default=20.0,
            baseline=57.8,
            baseline_is=FLAT_MEAN,
            higher_is_better=False,
        ),
        # Raw columns: gradient descent must visibly fail (far worse than standardised).
        Expect(
            "gd_raw_test_mae",
            smoke=40.0,
            default=40.0,
            baseline=16.7,
            baseline_is="the same gradient descent on standardised columns",
        ),
        Expect(
            "linreg_test_mae",
            smoke=16.0,
            default=16.0,
            baseline=57.8,
            baseline_is=FLAT_MEAN,
            higher_is_better=False,
        ),
        Expect(
            "coef_std_collinear",
            smoke=5.0,
            default=5.0,
            baseline=1.0,
            baseline_is="spread of the same weight after dropping area_sqft",
        ),
        Expect(
            "coef_std_dropped",
            smoke=3.0,
            default=3.0,
            baseline=17.2,
            baseline_is="spread of the area_m2 weight with both area columns",
            higher_is_better=False,
        ),
    ],  # fmt: skip
    "04_support_vector_machines": [
        Expect(
            "linear_moons_accuracy",
            smoke=0.70,
            default=0.75,
            baseline=0.50,
            baseline_is=MOONS_MAJORITY,
        ),
        Expect(
            "rbf_moons_accuracy",
            smoke=0.85,
            default=0.92,
            baseline=0.50,
            baseline_is=MOONS_MAJORITY,
        ),
        # The lesson's point: the RBF kernel clearly beats the straight line on curved data.
        Expect(
            "kernel_gain",
            smoke=0.03,
            default=0.05,
            baseline=0.0,
            baseline_is="the linear SVM on the same test points",
        ),
        Expect(
            "real_test_accuracy", smoke=0.93, default=0.95, baseline=0.624, baseline_is=BENIGN_85
        ),
        Expect(
            "real_linear_test_accuracy",
            smoke=0.93,
            default=0.95,
            baseline=0.624,
            baseline_is=BENIGN_85,
        ),
        Expect(
            "real_unscaled_test_accuracy",
            smoke=0.75,
            default=0.75,
            baseline=0.624,
            baseline_is=BENIGN_85,
        ),
        # Standardising the features must help the RBF SVM.
        Expect(
            "scaling_gain",
            smoke=0.03,
            default=0.03,
            baseline=0.0,
            baseline_is="the same RBF SVM on raw features",
        ),
    ],
    "05_trees_forests_boosting": [
        Expect("tree_test_accuracy", smoke=0.80, default=0.85, baseline=0.624, baseline_is=BENIGN),
        Expect(
            "forest_test_accuracy", smoke=0.85, default=0.90, baseline=0.624, baseline_is=BENIGN
        ),
        Expect(
            "boosting_test_accuracy", smoke=0.85, default=0.90, baseline=0.624, baseline_is=BENIGN
        ),
        # An unlimited tree memorises: its train accuracy is clearly above its validation one.
        Expect(
            "deep_tree_gap",
            smoke=0.03,
            default=0.03,
            baseline=0.0,
            baseline_is="no memorisation: training accuracy = validation accuracy",
        ),
        Expect(
            "tuned_tree_gap",
            smoke=0.04,
            default=0.04,
            baseline=0.058,
            baseline_is="the gap of an unlimited tree (deep_tree_gap)",
            higher_is_better=False,
        ),
        # Impurity importance rewards a column of pure noise; permutation importance does not.
        Expect(
            "noise_impurity_importance",
            smoke=0.01,
            default=0.01,
            baseline=0.0,
            baseline_is="the importance a column of pure noise deserves",
        ),
        Expect(
            "noise_permutation_importance",
            smoke=0.03,
            default=0.02,
            baseline=0.024,
            baseline_is="the impurity importance of the same noise column",
            higher_is_better=False,
        ),
    ],
    "06_feed_forward_networks": [
        Expect(
            "mlp_digits_test_accuracy",
            smoke=0.90,
            default=0.95,
            baseline=0.10,
            baseline_is=CHANCE_10,
        ),
        Expect(
            "baseline_digits_test_accuracy",
            smoke=0.90,
            default=0.90,
            baseline=0.10,
            baseline_is=CHANCE_10,
        ),
        Expect(
            "forest_digits_test_accuracy",
            smoke=0.88,
            default=0.93,
            baseline=0.10,
            baseline_is=CHANCE_10,
        ),
        Expect(
            "mlp_tabular_test_accuracy",
            smoke=0.90,
            default=0.93,
            baseline=0.624,
            baseline_is=BENIGN,
        ),
        Expect(
            "baseline_tabular_test_accuracy",
            smoke=0.93,
            default=0.93,
            baseline=0.624,
            baseline_is=BENIGN,
        ),
        Expect(
            "moons_relu_test_accuracy",
            smoke=0.90,
            default=0.92,
            baseline=0.84,
            baseline_is="the same network without activations",
        ),
        # Without activations the network stays linear: it cannot bend around the moons.
        Expect(
            "moons_linear_stack_test_accuracy",
            smoke=0.90,
            default=0.90,
            baseline=0.964,
            baseline_is="the same network with ReLU",
            higher_is_better=False,
        ),
    ],
    "07_images_and_convolutions": [
        Expect(
            "cnn_test_accuracy", smoke=0.70, default=0.975, baseline=0.10, baseline_is=CHANCE_10
        ),
        Expect("mlp_test_accuracy", smoke=0.70, default=0.93, baseline=0.10, baseline_is=CHANCE_10),
        Expect(
            "conv_max_abs_difference",
            smoke=1e-5,
            default=1e-5,
            baseline=1.0,
            baseline_is="a flipped or misplaced kernel (differences of a pixel's size)",
            higher_is_better=False,
        ),
    ],
    "08_deep_cnns": [
        Expect(
            "resnet18_params",
            smoke=11689512,
            default=11689512,
            baseline=0,
            baseline_is="exact count (torchvision resnet18, 11 689 512)",
        ),
        Expect(
            "residual_test_accuracy",
            smoke=0.30,
            default=0.90,
            baseline=0.10,
            baseline_is="always the most frequent digit",
        ),
        # The 20-layer plain net does not learn in the same budget: that is the point.
        Expect(
            "plain_test_accuracy",
            smoke=0.20,
            default=0.20,
            baseline=0.10,
            baseline_is="always the most frequent digit",
            higher_is_better=False,
        ),
        Expect(
            "plain_grad_ratio",
            smoke=1e-4,
            default=1e-4,
            baseline=1.0,
            baseline_is="no vanishing: first-layer gradient as large as the last",
            higher_is_better=False,
        ),
        Expect(
            "residual_grad_ratio",
            smoke=0.05,
            default=0.05,
            baseline=1e-4,
            baseline_is="the plain net's vanishing gradient (about 5e-7)",
        ),
    ],
    "09_transfer_learning": [
        Expect(
            "pretrain_test_accuracy",
            smoke=0.85,
            default=0.95,
            baseline=0.20,
            baseline_is="always the most frequent of digits 0-4 (five about balanced)",
        ),
        # Transfer does not clearly beat scratch on 8x8 digits (the lesson says so): each
        # setting is held to learning the new task, not to winning.
        Expect(
            "scratch_test_accuracy",
            smoke=0.50,
            default=0.80,
            baseline=0.20,
            baseline_is="always the most frequent of digits 5-9",
        ),
        Expect(
            "frozen_test_accuracy",
            smoke=0.30,
            default=0.75,
            baseline=0.20,
            baseline_is="always the most frequent of digits 5-9",
        ),
        Expect(
            "finetune_test_accuracy",
            smoke=0.30,
            default=0.80,
            baseline=0.20,
            baseline_is="always the most frequent of digits 5-9",
        ),
    ],
}
