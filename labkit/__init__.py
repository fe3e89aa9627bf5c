"""labkit: the small toolkit behind the course.

Every lesson uses the same few calls::

    import labkit
    device = labkit.pick_device()          # where to train, and why (one printed line)
    labkit.seed_everything(SEED)           # same numbers on every run
    history = labkit.fit(model, (X, y), val_data, epochs=..., optimizer=..., loss_fn=...)
    labkit.plot_history(history)           # learning curves

The modules are small and meant to be read: start with ``labkit/train/loop.py``.
"""

from labkit import datasets, text
from labkit.device import Capabilities, DeviceChoice, choose_device, pick_device, seed_everything
from labkit.lesson import choose_size, record
from labkit.plots import (
    COLORS,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_history,
    plot_image_grid,
    use_style,
)
from labkit.selfcheck import check
from labkit.splits import (
    GroupKFold,
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    check_split,
    find_duplicates,
    make_windows,
    train_val_test_split,
)
from labkit.train import (
    Callback,
    Checkpoint,
    EarlyStopping,
    History,
    LearningRateSchedule,
    ProgressBar,
    SpeedOptions,
    accuracy,
    close_distributed,
    detect,
    evaluate,
    fit,
    fit_detector,
    init_distributed,
    mean_absolute_error,
    predict,
    time_inference,
)
from labkit.widgets import Dropdown, Playground, Slider

__version__ = "0.1.0"

__all__ = [
    # lesson.py, selfcheck.py, datasets/, text.py: what every lesson uses
    "choose_size",
    "record",
    "check",
    "datasets",
    "text",
    # device.py: where and how to train
    "DeviceChoice",
    "pick_device",
    "seed_everything",
    "Capabilities",
    "choose_device",
    # train/: the loop and its callbacks
    "fit",
    "fit_detector",
    "detect",
    "evaluate",
    "predict",
    "time_inference",
    "History",
    "Callback",
    "EarlyStopping",
    "Checkpoint",
    "LearningRateSchedule",
    "SpeedOptions",
    "accuracy",
    "mean_absolute_error",
    "ProgressBar",
    "init_distributed",
    "close_distributed",
    # splits/: dividing data without leakage
    "train_val_test_split",
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "TimeSeriesSplit",
    "make_windows",
    "check_split",
    "find_duplicates",
    # plots/: figures from arrays and histories, in the course's colours
    "COLORS",
    "use_style",
    "plot_history",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_image_grid",
    # widgets/: sliders and drop-downs that redraw a figure
    "Slider",
    "Dropdown",
    "Playground",
]
