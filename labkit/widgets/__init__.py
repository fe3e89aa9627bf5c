"""A minimal playground: move a slider, and a figure is redrawn in place.

You write one plain function ``draw(ax, **values)`` that recomputes and draws onto ``ax``
(and may return numbers to show). :class:`Playground` builds the sliders and drop-downs from
small specs (:class:`Slider`, :class:`Dropdown`) and calls ``draw`` whenever one moves.
"""

from labkit.widgets.controls import Dropdown, Slider
from labkit.widgets.playground import Playground

__all__ = ["Slider", "Dropdown", "Playground"]
