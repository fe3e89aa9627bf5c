"""Course figures: training curves, bands over seeds, confusion matrices, decision boundaries,
image grids, and detections (boxes and masks on their image).

Every helper takes plain arrays (or a ``predict`` function), draws onto the ``ax`` you pass
or onto a new figure, and returns what it drew so you can keep styling it. None of them calls
``plt.show()`` or changes matplotlib's settings; only :func:`use_style` does that, on purpose.
"""

from labkit.plots.classification import plot_confusion_matrix, plot_decision_boundary
from labkit.plots.curves import plot_history, plot_mean_band
from labkit.plots.detection import plot_detections
from labkit.plots.images import plot_image_grid
from labkit.plots.log_scale import plot_log_bars, plot_per_layer
from labkit.plots.style import COLORS, use_style

__all__ = [
    "COLORS",
    "use_style",
    "plot_history",
    "plot_mean_band",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_image_grid",
    "plot_log_bars",
    "plot_per_layer",
    "plot_detections",
]
