"""Tests for labkit.plots: what each helper draws, its errors, and that it leaves rcParams alone."""

import matplotlib

matplotlib.use("Agg")  # draw off-screen: no windows, works without a display

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

from labkit.plots import (  # noqa: E402
    COLORS,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_history,
    plot_image_grid,
    use_style,
)


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test made, so figures do not pile up across tests."""
    yield
    plt.close("all")


def sign_of_first_feature(points):
    """A tiny 'model': class 1 right of x = 0, class 0 left of it."""
    return (points[:, 0] > 0).astype(int)


# --- use_style and rcParams -------------------------------------------------------------


def test_use_style_sets_course_style_and_rc_context_restores_it():
    before = dict(mpl.rcParams)
    with mpl.rc_context():
        use_style()
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == COLORS
        assert mpl.rcParams["axes.grid"] is True
        assert list(mpl.rcParams["figure.figsize"]) == [6.4, 4.0]
        assert mpl.rcParams["figure.dpi"] == 100
    assert dict(mpl.rcParams) == before


def test_colors_are_the_eight_okabe_ito_colours():
    okabe_ito = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00"}
    okabe_ito.add("#cc79a7")
    assert {to_hex(color) for color in COLORS} == okabe_ito
    assert len(COLORS) == 8


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}),
        lambda: plot_confusion_matrix([0, 1, 1], [0, 1, 0], normalize="true"),
        lambda: plot_decision_boundary(
            sign_of_first_feature, [[-1.0, 0.0], [1.0, 0.0]], [0, 1], support_vectors=[[1, 0]]
        ),
        lambda: plot_image_grid(np.ones((3, 4, 4)), labels=[1, 2, 3], predictions=[1, 0, 3]),
    ],
    ids=["history", "confusion_matrix", "decision_boundary", "image_grid"],
)
def test_helpers_leave_rcparams_unchanged(draw):
    before = dict(mpl.rcParams)
    draw()
    assert dict(mpl.rcParams) == before


# --- plot_history ------------------------------------------------------------------------


def test_plot_history_draws_training_and_validation_per_epoch():
    history = {"loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.7, 0.6], "lr": [0.1, 0.1, 0.01]}
    ax = plot_history(history)
    assert [line.get_label() for line in ax.lines] == ["training", "validation"]
    np.testing.assert_allclose(ax.lines[0].get_xydata(), [[1, 0.9], [2, 0.5], [3, 0.3]])
    np.testing.assert_allclose(ax.lines[1].get_xydata(), [[1, 1.0], [2, 0.7], [3, 0.6]])
    assert ax.lines[0].get_marker() != "None"
    assert ax.get_title() == "Loss per epoch"
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "loss"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["training", "validation"]


def test_plot_history_without_validation_draws_one_line():
    ax = plot_history({"loss": [0.9, 0.5], "acc": [0.5, 0.8]}, "acc")
    assert len(ax.lines) == 1
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.5, 0.8])
    assert ax.get_title() == "Accuracy per epoch"


def test_plot_history_partial_history_skips_missing_epochs():
    # Validation every other epoch, as the training history pads with NaN.
    history = {"loss": [0.9, 0.7, 0.5, 0.4], "val_loss": [float("nan"), 0.8, float("nan")]}
    ax = plot_history(history)
    np.testing.assert_allclose(ax.lines[1].get_xydata(), [[2, 0.8]])
    assert len(ax.lines[0].get_xdata()) == 4


def test_plot_history_empty_history_draws_no_lines_and_no_legend():
    ax = plot_history({"loss": []})
    assert len(ax.lines) == 0
    assert ax.get_legend() is None
    assert ax.get_title() == "Loss per epoch"


def test_plot_history_redraws_onto_a_cleared_existing_axes():
    fig, ax = plt.subplots()
    history = {"loss": [], "val_loss": []}
    for epoch_loss in [0.9, 0.6, 0.4]:  # a live plot: one redraw per epoch
        history["loss"].append(epoch_loss)
        history["val_loss"].append(epoch_loss + 0.1)
        ax.clear()
        assert plot_history(history, ax=ax) is ax
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.9, 0.6, 0.4])
    assert plt.get_fignums() == [fig.number]  # no extra figures were made


def test_plot_history_missing_metric_lists_available_keys():
    with pytest.raises(ValueError, match=r"metric='acc'.*Available keys: \['loss', 'val_loss'\]"):
        plot_history({"loss": [1.0], "val_loss": [1.0]}, "acc")


def test_plot_history_rejects_a_non_mapping():
    with pytest.raises(TypeError, match="history must be a mapping.*Received: history of type"):
        plot_history(np.array([0.9, 0.5]))
    with pytest.raises(TypeError, match="or a non-empty list of them"):
        plot_history([])
    with pytest.raises(TypeError, match="every history in the list.*an item of type float"):
        plot_history([0.9, 0.5])


def test_plot_history_of_several_runs_draws_their_mean_and_band():
    runs = [
        {"loss": [1.0, 0.6, 0.2], "val_loss": [1.2, 0.8, 0.6]},
        {"loss": [0.8, 0.4], "val_loss": [1.0, 0.6]},  # stopped early: counts for 2 epochs
    ]
    ax = plot_history(runs)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.9, 0.5, 0.2])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [1.1, 0.7, 0.6])
    assert len(ax.collections) == 2  # one band per line
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(0.2) and band[:, 1].max() == pytest.approx(1.0)
    assert ax.lines[0].get_label() == "training: mean of 2 runs, band lowest to highest"
    with pytest.raises(ValueError, match="metric='acc'"):
        plot_history([runs[0], {"acc": [0.5]}], "acc")
    plt.close(ax.figure)


# --- plot_confusion_matrix --------------------------------------------------------------


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_matches_sklearn(normalize):
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, size=200), rng.integers(0, 4, size=200)
    ax = plot_confusion_matrix(y_true, y_pred, normalize=normalize)
    expected = confusion_matrix(y_true, y_pred, normalize=normalize)
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    written = [text.get_text() for text in ax.texts]
    fmt = "{:d}" if normalize is None else "{:.2f}"
    assert written == [fmt.format(value) for value in expected.ravel()]


def test_confusion_matrix_labels_order_and_ignored_labels_match_sklearn():
    y_true = ["cat", "dog", "bird", "dog", "cat"]
    y_pred = ["dog", "dog", "bird", "cat", "cat"]
    labels = ["dog", "cat"]  # "bird" samples are left out, as in scikit-learn
    ax = plot_confusion_matrix(y_true, y_pred, labels=labels)
    np.testing.assert_array_equal(
        ax.images[0].get_array(), confusion_matrix(y_true, y_pred, labels=labels)
    )
    assert [tick.get_text() for tick in ax.get_xticklabels()] == labels
    assert [tick.get_text() for tick in ax.get_yticklabels()] == labels


def test_confusion_matrix_labels_colour_bar_and_contrasting_text():
    ax = plot_confusion_matrix([0, 0, 0, 0, 1], [0, 0, 0, 0, 0])
    assert ax.get_xlabel() == "predicted label"
    assert ax.get_ylabel() == "true label"
    assert ax.get_title() == "Confusion matrix"
    assert len(ax.figure.axes) == 2  # the matrix and its colour bar
    colors = {text.get_text(): text.get_color() for text in ax.texts}
    assert colors["4"] == "white"  # the darkest cell
    assert colors["0"] == "black"


def test_confusion_matrix_row_without_samples_is_zero_when_normalised():
    ax = plot_confusion_matrix([0, 0], [0, 1], labels=[0, 1], normalize="true")
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.5, 0.5], [0.0, 0.0]])


def test_confusion_matrix_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_confusion_matrix([1, 2], [1, 2], ax=ax) is ax


def test_confusion_matrix_errors():
    with pytest.raises(ValueError, match=r"len\(y_pred\)=2, len\(y_true\)=3"):
        plot_confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(
        ValueError,
        match="normalize must be one of 'true', 'pred', 'all'. Received: normalize='rows'",
    ):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="nothing to count"):
        plot_confusion_matrix([], [])


# --- plot_decision_boundary -------------------------------------------------------------


def test_decision_boundary_shades_predicted_regions_over_padded_grid():
    X = np.array([[-2.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [2.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    calls = []

    def predict(points):
        calls.append(points.shape)
        return sign_of_first_feature(points)

    ax = plot_decision_boundary(predict, X, y, resolution=5, padding=1.0)
    assert calls == [(25, 2)]  # one call on the whole grid
    regions = ax.collections[0].get_array().reshape(5, 5)
    grid_x = np.linspace(-3.0, 3.0, 5)
    np.testing.assert_array_equal(regions, np.tile(grid_x > 0, (5, 1)).astype(int))
    assert ax.get_xlim() == (-3.0, 3.0)
    assert ax.get_ylim() == (-2.0, 2.0)
    assert ax.get_title() == "Decision boundary"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 0", "feature 1")


def test_decision_boundary_scatters_each_class_with_its_own_colour_and_marker():
    X = np.array([[-1.0, 0.0], [-2.0, 1.0], [1.0, 0.0]])
    ax = plot_decision_boundary(sign_of_first_feature, X, ["a", "a", "b"], resolution=4)
    shading, class_a, class_b = ax.collections
    np.testing.assert_array_equal(class_a.get_offsets(), X[:2])
    np.testing.assert_array_equal(class_b.get_offsets(), X[2:])
    assert to_hex(class_a.get_facecolor()[0]) != to_hex(class_b.get_facecolor()[0])
    assert class_a.get_paths()[0] != class_b.get_paths()[0]  # different markers
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["class a", "class b"]


def test_decision_boundary_circles_support_vectors():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [3.0, 3.0]])
    ax = plot_decision_boundary(
        sign_of_first_feature, X, [0, 1, 1], resolution=3, support_vectors=X[:2]
    )
    circles = ax.collections[-1]
    np.testing.assert_array_equal(circles.get_offsets(), X[:2])
    assert circles.get_facecolor().size == 0  # hollow, so the class marker stays visible
    assert ax.get_legend().get_texts()[-1].get_text() == "support vectors"


def test_decision_boundary_errors():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\).*\(4, 3\)"):
        plot_decision_boundary(sign_of_first_feature, np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"X must have shape.*\(4,\)"):
        plot_decision_boundary(sign_of_first_feature, np.zeros(4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"len\(y\)=3, len\(X\)=4"):
        plot_decision_boundary(sign_of_first_feature, X, [0, 1, 0])
    with pytest.raises(
        ValueError, match="resolution must be a whole number >= 2. Received: resolution=1"
    ):
        plot_decision_boundary(sign_of_first_feature, X, [0, 1, 0, 1], resolution=1)
    with pytest.raises(
        TypeError, match="resolution must be a whole number. Received: resolution=2.5"
    ):
        plot_decision_boundary(sign_of_first_feature, X, [0, 1, 0, 1], resolution=2.5)
    with pytest.raises(
        ValueError, match="padding must be a finite number >= 0. Received: padding=-1"
    ):
        plot_decision_boundary(sign_of_first_feature, X, [0, 1, 0, 1], padding=-1)
    with pytest.raises(ValueError, match="got 9 points and returned 18 values"):
        plot_decision_boundary(lambda P: np.zeros((len(P), 2)), X, [0, 1, 0, 1], resolution=3)


# --- plot_image_grid ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "first_image_shown"),
    [
        ((5, 6, 7), lambda image: image),
        ((5, 6, 7, 1), lambda image: image[..., 0]),
        ((5, 1, 6, 7), lambda image: image[0]),
        ((5, 6, 7, 3), lambda image: image),
        ((5, 3, 6, 7), lambda image: image.transpose(1, 2, 0)),
    ],
    ids=["NHW", "NHW1", "N1HW", "NHW3", "N3HW"],
)
def test_image_grid_accepts_channel_first_and_channel_last(shape, first_image_shown):
    images = np.random.default_rng(0).random(shape)
    fig = plot_image_grid(images)
    assert len(fig.axes) == 5
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), first_image_shown(images[0]))


def test_image_grid_scales_0_to_255_and_uses_one_colour_scale():
    images = np.array([np.full((2, 2), 51), np.full((2, 2), 255)], dtype=np.uint8)
    fig = plot_image_grid(images)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), np.full((2, 2), 0.2))
    assert fig.axes[0].images[0].get_clim() == (0.0, 1.0)


def test_image_grid_layout_titles_and_ticks():
    fig = plot_image_grid(np.zeros((10, 4, 4)), labels=list(range(10)), ncols=4, title="Digits")
    assert len(fig.axes) == 12  # 3 rows of 4
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(10)]
    assert all(len(ax.get_xticks()) == 0 and len(ax.get_yticks()) == 0 for ax in shown)
    assert [ax.axison for ax in fig.axes[10:]] == [False, False]
    assert fig.get_suptitle() == "Digits"


def test_image_grid_highlights_wrong_predictions():
    fig = plot_image_grid(np.zeros((3, 4, 4)), labels=[7, 2, 1], predictions=[7, 5, 1])
    titles = [ax.title for ax in fig.axes]
    assert [title.get_text() for title in titles] == ["7/7", "2/5", "1/1"]
    assert titles[0].get_color() == titles[2].get_color() != titles[1].get_color()
    assert titles[1].get_fontweight() == "bold"


def test_image_grid_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    images = torch.zeros(2, 1, 5, 5, requires_grad=True)  # needs detach() before numpy()
    fig = plot_image_grid(images, labels=torch.tensor([3, 4]), predictions=torch.tensor([3, 1]))
    assert fig.axes[0].images[0].get_array().shape == (5, 5)
    assert [ax.get_title() for ax in fig.axes] == ["3/3", "4/1"]


def test_image_grid_draws_into_given_figure_and_clears_it():
    fig = plt.figure()
    fig.add_subplot().plot([1, 2])
    assert plot_image_grid(np.zeros((2, 3, 3)), fig=fig) is fig
    assert len(fig.axes) == 2
    assert all(not ax.lines for ax in fig.axes)


def test_image_grid_divides_other_float_ranges_by_their_maximum():
    # scikit-learn's digits: ink from 0 to 16; 16 must show as full intensity, not as 16/255.
    fig = plot_image_grid(np.array([[[0.0, 8.0, 16.0]]]))
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), [[0.0, 0.5, 1.0]])


def test_image_grid_warns_about_negative_values():
    with pytest.warns(UserWarning, match=r"negative values \(from -1 to 2\)"):
        fig = plot_image_grid(np.array([[[-1.0, 2.0]]]))
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), [[0.0, 1.0]])


def test_image_grid_errors():
    with pytest.raises(ValueError, match=r"images must have shape.*\(4, 4\).*images\[None\]"):
        plot_image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"\(2, 4, 4, 2\)"):
        plot_image_grid(np.zeros((2, 4, 4, 2)))
    with pytest.raises(ValueError, match="images is empty"):
        plot_image_grid(np.zeros((0, 4, 4)))
    with pytest.raises(ValueError, match=r"len\(labels\)=1, len\(images\)=2"):
        plot_image_grid(np.zeros((2, 4, 4)), labels=[1])
    with pytest.raises(ValueError, match=r"len\(predictions\)=3, len\(images\)=2"):
        plot_image_grid(np.zeros((2, 4, 4)), labels=[1, 2], predictions=[1, 2, 3])
    with pytest.raises(ValueError, match="predictions need labels"):
        plot_image_grid(np.zeros((2, 4, 4)), predictions=[1, 2])
    with pytest.raises(ValueError, match="ncols must be a whole number >= 1. Received: ncols=0"):
        plot_image_grid(np.zeros((2, 4, 4)), ncols=0)
    with pytest.raises(TypeError, match="ncols must be a whole number. Received: ncols='4'"):
        plot_image_grid(np.zeros((2, 4, 4)), ncols="4")
