"""Tests for labkit.datasets.scenes (the shapes of lessons 10 and 11) and plot_detections.

Every label must agree with the pixels: boxes are the tight boxes of the visible masks, the
semantic map is the union of the masks, no object is hidden by more than half, and nothing
but the shape gives the class away (not the colour). Splits are made per scene, so they are
disjoint and scene i does not depend on how many scenes were asked for.
"""

import matplotlib

matplotlib.use("Agg")  # draw off-screen: no windows, works without a display

import hashlib  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from torchvision.ops import box_iou  # noqa: E402

from labkit.datasets import Scenes, load_scenes  # noqa: E402
from labkit.plots import COLORS, plot_detections  # noqa: E402

CLASSES = ["background", "circle", "square", "triangle", "cross"]


@pytest.fixture(scope="module")
def train() -> Scenes:
    """The full default training split (1000 scenes, about half a second)."""
    return load_scenes("train")


@pytest.fixture(scope="module")
def val() -> Scenes:
    return load_scenes("val")


@pytest.fixture
def close_figures():
    yield
    plt.close("all")


def objects(scenes: Scenes):
    """Every object of every scene: (scene, box, label, mask, full area)."""
    for i in range(len(scenes)):
        for box, label, mask, area in zip(
            scenes.boxes[i], scenes.labels[i], scenes.masks[i], scenes.areas[i], strict=True
        ):
            yield i, box, label, mask, area


def tight_box(mask: np.ndarray) -> list[int]:
    rows, columns = np.nonzero(mask)
    return [columns.min(), rows.min(), columns.max() + 1, rows.max() + 1]


def image_hashes(scenes: Scenes) -> set[str]:
    return {hashlib.sha256(image.tobytes()).hexdigest() for image in scenes.images}


# --- shapes and types ---------------------------------------------------------------------


def test_shapes_types_and_default_sizes(train, val):
    assert (len(train), len(val), len(load_scenes("test"))) == (1000, 200, 200)
    for scenes, split in [(train, "train"), (val, "val")]:
        n = len(scenes)
        assert scenes.split == split and scenes.seed == 0 and scenes.classes == CLASSES
        assert scenes.images.shape == (n, 64, 64, 3) and scenes.images.dtype == np.uint8
        assert scenes.semantic.shape == (n, 64, 64) and scenes.semantic.dtype == np.uint8
        assert len(scenes.boxes) == len(scenes.labels) == len(scenes.masks) == n
        for boxes, labels, masks, areas in zip(
            scenes.boxes, scenes.labels, scenes.masks, scenes.areas, strict=True
        ):
            k = len(labels)
            assert boxes.shape == (k, 4) and boxes.dtype == np.float32
            assert labels.shape == (k,) and labels.dtype == np.int64
            assert masks.shape == (k, 64, 64) and masks.dtype == np.bool_
            assert areas.shape == (k,) and areas.dtype == np.int64
            assert set(labels.tolist()) <= {1, 2, 3, 4}
    n_objects = sum(len(labels) for labels in val.labels)
    assert repr(val) == f"Scenes(split='val', n=200, size=64, seed=0, objects={n_objects})"


def test_other_sizes_scale_the_scene():
    scenes = load_scenes("val", n=20, size=32)
    assert scenes.images.shape == (20, 32, 32, 3) and scenes.masks[0].shape[1:] == (32, 32)
    sides = [max(b[2] - b[0], b[3] - b[1]) for _, b, *_ in objects(scenes)]
    assert max(sides) <= 0.4 * 32 + 1


# --- labels agree with the pixels ---------------------------------------------------------


def test_boxes_are_the_tight_boxes_of_the_visible_masks(val):
    for _, box, _, mask, _ in objects(val):
        assert box.tolist() == tight_box(mask)


def test_semantic_map_is_the_union_of_the_masks_with_their_labels(val):
    for i in range(len(val)):
        expected = np.zeros((64, 64), dtype=np.uint8)
        for label, mask in zip(val.labels[i], val.masks[i], strict=True):
            expected[mask] = label
        np.testing.assert_array_equal(val.semantic[i], expected)
        assert (val.semantic[i] == 0).sum() == 64 * 64 - val.masks[i].sum()


def test_masks_of_a_scene_never_overlap(train):
    for masks in train.masks:
        assert (masks.sum(axis=0) <= 1).all()


def test_every_object_keeps_half_its_pixels_and_at_least_16(train):
    visible = np.array([mask.sum() for *_, mask, _ in objects(train)])
    areas = np.array([area for *_, area in objects(train)])
    assert (visible >= 16).all()
    assert (visible <= areas).all() and (2 * visible >= areas).all()
    assert 0.1 < (visible < areas).mean() < 0.6  # occlusion is common, but not the rule
    # the object drawn last is on top of everything: it is never hidden
    for masks, areas_i in zip(train.masks, train.areas, strict=True):
        assert masks[-1].sum() == areas_i[-1]


def test_unhidden_shapes_fill_their_box_as_their_geometry_says(train):
    """A square fills its box, a disc pi/4 of it, a triangle 1/2, the cross 5/9; sides vary 3x."""
    fill: dict[int, list[float]] = {1: [], 2: [], 3: [], 4: []}
    sides = []
    for _, box, label, mask, area in objects(train):
        width, height = box[2] - box[0], box[3] - box[1]
        sides.append(max(width, height))
        if mask.sum() == area:
            fill[int(label)].append(area / (width * height))
            assert 0.85 < width / height < 1.15
    assert fill[2] and min(fill[2]) == 1.0
    for label, ideal in [(1, np.pi / 4), (3, 1 / 2), (4, 5 / 9)]:
        assert abs(np.mean(fill[label]) - ideal) < 0.05, CLASSES[label]
    assert min(sides) <= 9 and max(sides) >= 24  # from about 8 to 26 pixels


# --- seeds and splits ---------------------------------------------------------------------


def test_same_seed_same_scenes_other_seed_other_scenes():
    first, again, other = (load_scenes("val", n=30, seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(first.images, again.images)
    np.testing.assert_array_equal(first.semantic, again.semantic)
    for a, b in zip(first.boxes, again.boxes, strict=True):
        np.testing.assert_array_equal(a, b)
    assert other.seed == 4
    assert not image_hashes(first) & image_hashes(other)


def test_splits_share_no_scene(train, val):
    test = load_scenes("test")
    train_hashes, val_hashes, test_hashes = map(image_hashes, (train, val, test))
    assert (len(train_hashes), len(val_hashes), len(test_hashes)) == (1000, 200, 200)
    assert not train_hashes & val_hashes
    assert not train_hashes & test_hashes
    assert not val_hashes & test_hashes


def test_scene_i_does_not_depend_on_n(val):
    few = load_scenes("val", n=7)
    np.testing.assert_array_equal(few.images, val.images[:7])
    for a, b in zip(few.masks, val.masks[:7], strict=True):
        np.testing.assert_array_equal(a, b)
    bigger = load_scenes("val", n=205)  # beyond the default size: more of the same stream
    np.testing.assert_array_equal(bigger.images[:200], val.images)


# --- what is in a scene, and what gives the class away ------------------------------------


def test_one_to_five_objects_and_balanced_classes(train):
    counts = np.bincount([len(labels) for labels in train.labels], minlength=6)
    assert counts[0] == 0 and counts.sum() == 1000
    assert (counts[1:] > 140).all(), counts  # about 200 scenes each
    classes = np.bincount(np.concatenate(train.labels), minlength=5)
    shares = classes[1:] / classes.sum()
    assert classes[0] == 0 and (np.abs(shares - 0.25) < 0.03).all(), shares


def mean_colours_and_labels(scenes: Scenes) -> tuple[np.ndarray, np.ndarray]:
    colours = [scenes.images[i][mask].mean(axis=0) for i, _, _, mask, _ in objects(scenes)]
    labels = [label for _, _, label, _, _ in objects(scenes)]
    return np.array(colours), np.array(labels)


def test_colour_does_not_predict_the_class(train):
    colours, labels = mean_colours_and_labels(train)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    accuracy = cross_val_score(model, colours, labels, cv=5).mean()
    assert accuracy < 0.30  # chance is 0.25
    by_class = np.array([colours[labels == c].mean(axis=0) for c in range(1, 5)])
    assert np.ptp(by_class, axis=0).max() < 15  # mean colour per class: within 15 of 255

    # the same test sees a class in what does carry it: how much of its box a shape fills
    boxes = np.concatenate(train.boxes)
    visible = np.array([mask.sum() for *_, mask, _ in objects(train)])
    fill = visible / ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    shape_accuracy = cross_val_score(model, fill[:, None], labels, cv=5).mean()
    assert shape_accuracy > 0.5


def test_objects_stand_out_from_what_lies_under_them(val):
    """Colours are redrawn until they differ from the background: no invisible object."""
    for i, _, _, mask, _ in objects(val):
        inside = val.images[i][mask].mean(axis=0)
        ring = np.zeros_like(mask)  # pixels just outside the mask, not in another object
        ring[1:] |= mask[:-1]
        ring[:-1] |= mask[1:]
        ring[:, 1:] |= mask[:, :-1]
        ring[:, :-1] |= mask[:, 1:]
        ring &= (val.semantic[i] == 0) & ~mask
        if ring.sum() >= 10:
            assert np.linalg.norm(inside - val.images[i][ring].mean(axis=0)) > 40


# --- bad arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"split": "validation"}, ValueError, "split must be one of 'train', 'val', 'test'"),
        ({"split": None}, ValueError, "split must be one of"),
        ({"n": 0}, ValueError, "n must be a whole number >= 1"),
        ({"n": -5}, ValueError, "Received: n=-5"),
        ({"n": 2.5}, TypeError, "n must be a whole number"),
        ({"n": True}, TypeError, "n must be a whole number"),
        ({"seed": -1}, ValueError, "seed must be a whole number >= 0"),
        ({"seed": "0"}, TypeError, "seed must be a whole number"),
        ({"size": 16}, ValueError, "size must be a whole number >= 32"),
        ({"size": 64.0}, TypeError, "size must be a whole number"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        load_scenes(**{"n": 2, **kwargs})


def test_scenes_cannot_be_changed():
    scenes = load_scenes("val", n=1)
    with pytest.raises(AttributeError):
        scenes.split = "train"  # type: ignore[misc]


# --- torch and torchvision ----------------------------------------------------------------


def test_targets_are_what_torchvision_detectors_take(val):
    for i in (0, 1, 199):
        target = val.targets(i)
        k = len(val.labels[i])
        assert target["boxes"].dtype == torch.float32 and target["boxes"].shape == (k, 4)
        assert target["labels"].dtype == torch.int64 and target["labels"].shape == (k,)
        assert target["masks"].dtype == torch.uint8 and target["masks"].shape == (k, 64, 64)
        assert set(target["masks"].unique().tolist()) <= {0, 1}
        iou = box_iou(target["boxes"], target["boxes"])
        assert iou.shape == (k, k)
        torch.testing.assert_close(iou.diagonal(), torch.ones(k))
        assert torch.equal(target["masks"].bool(), torch.from_numpy(val.masks[i]))


@pytest.mark.parametrize(
    ("index", "error"), [(200, ValueError), (-1, ValueError), (1.0, TypeError)]
)
def test_targets_reject_a_bad_index(val, index, error):
    with pytest.raises(error, match="index"):
        val.targets(index)


def test_tensors_are_channel_first_floats_in_0_1():
    scenes = load_scenes("val", n=5)
    images = scenes.tensors()
    assert images.shape == (5, 3, 64, 64) and images.dtype == torch.float32
    assert images.min() >= 0 and images.max() <= 1
    expected = torch.from_numpy(scenes.images).permute(0, 3, 1, 2) / 255
    torch.testing.assert_close(images, expected)


# --- plot_detections ----------------------------------------------------------------------


def test_plot_detections_draws_boxes_names_and_colours(close_figures):
    scenes = load_scenes("val", n=1)
    ax = plt.figure().add_subplot()
    labels = scenes.labels[0]
    returned = plot_detections(ax, scenes.images[0], scenes.boxes[0], labels, classes=CLASSES)
    assert returned is ax
    assert len(ax.patches) == len(labels) and len(ax.images) == 1
    assert [t.get_text() for t in ax.texts] == [CLASSES[label] for label in labels]
    first = ax.patches[0]
    x1, y1, x2, y2 = scenes.boxes[0][0]
    assert first.get_xy() == (x1 - 0.5, y1 - 0.5)  # pixel edges, not pixel centres
    assert (first.get_width(), first.get_height()) == (x2 - x1, y2 - y1)
    assert first.get_edgecolor()[:3] == to_rgb(COLORS[labels[0] - 1])


def test_plot_detections_takes_tensors_scores_and_masks(close_figures):
    scenes = load_scenes("val", n=1)
    target = scenes.targets(0)
    k = len(target["labels"])
    scores = torch.linspace(0.5, 0.99, k)
    ax = plt.figure().add_subplot()
    plot_detections(
        ax,
        scenes.tensors()[0],  # (3, H, W) floats
        target["boxes"],
        target["labels"],
        classes=CLASSES,
        scores=scores,
        masks=target["masks"][:, None].float(),  # Mask R-CNN's (k, 1, H, W) probabilities
        title="predicted",
    )
    assert len(ax.images) == 2 and ax.get_title() == "predicted"
    overlay = ax.images[1].get_array()
    assert overlay.shape == (64, 64, 4)
    assert ((overlay[..., 3] > 0) == scenes.masks[0].any(axis=0)).all()
    assert ax.texts[-1].get_text() == f"{CLASSES[target['labels'][-1]]} {scores[-1]:.2f}"


def test_plot_detections_with_no_boxes_shows_the_image(close_figures):
    ax = plt.figure().add_subplot()
    plot_detections(ax, np.zeros((32, 32, 3), np.uint8), np.zeros((0, 4)), [], classes=CLASSES)
    assert len(ax.patches) == 0 and len(ax.images) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"labels": [1]}, "labels must have one entry per entry of boxes"),
        ({"scores": [0.5]}, "scores must have one entry per entry of boxes"),
        ({"masks": np.zeros((1, 32, 32), bool)}, "masks must have one entry per entry of boxes"),
        ({"masks": np.zeros((2, 16, 16), bool)}, "masks must have shape"),
        ({"labels": [1, 7]}, "labels must be class numbers from 0 to 4"),
        ({"boxes": [[0, 0, 4]] * 2}, "boxes must have shape"),
        ({"image": np.zeros((32, 32))}, "image must be one colour image"),
    ],
)
def test_plot_detections_rejects_mismatched_inputs(close_figures, change, message):
    arguments = {
        "image": np.zeros((32, 32, 3), np.uint8),
        "boxes": [[0, 0, 4, 4], [2, 2, 9, 9]],
        "labels": [1, 2],
        **change,
    }
    ax = plt.figure().add_subplot()
    with pytest.raises(ValueError, match=message):
        plot_detections(ax, classes=CLASSES, **arguments)
