"""The training loop and its callbacks (see :mod:`labkit.train.loop` to read the loop)."""

from labkit.train.callbacks import Callback, EarlyStopping, NonFiniteGuard
from labkit.train.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from labkit.train.detection import detect, fit_detector
from labkit.train.distributed import World, close_distributed, init_distributed
from labkit.train.evaluation import evaluate, predict
from labkit.train.history import History
from labkit.train.loop import fit
from labkit.train.metrics import accuracy, mean_absolute_error
from labkit.train.progress import LivePlot, ProgressBar
from labkit.train.schedule import LearningRateSchedule
from labkit.train.setup import SpeedOptions
from labkit.train.state import TrainState
from labkit.train.timing import time_inference

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "LearningRateSchedule",
    "LivePlot",
    "NonFiniteGuard",
    "ProgressBar",
    "TrainState",
    "World",
    "accuracy",
    "detect",
    "evaluate",
    "fit",
    "fit_detector",
    "init_distributed",
    "close_distributed",
    "load_checkpoint",
    "mean_absolute_error",
    "predict",
    "save_checkpoint",
    "time_inference",
    "SpeedOptions",
]
