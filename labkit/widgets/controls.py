"""Control specs for the playground: :class:`Slider` and :class:`Dropdown`.

A spec is a small frozen dataclass describing one control; the playground turns it into
an ipywidgets control.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any

import ipywidgets

from labkit.validation import real_number

__all__ = ["Slider", "Dropdown"]


@dataclass(frozen=True)
class Slider:
    """A slider over a range of numbers: whole numbers if low, high and step are ints.

    Parameters
    ----------
    low, high : int or float
        The ends of the range; low < high.
    step : int, float or None, default=None
        Distance between positions; None means 1 for whole numbers and (high - low) / 100
        otherwise. With ``log=True`` it is a step of the base-10 exponent (default 0.1).
    value : int, float or None, default=None
        Start position; None means the middle of the range (``low`` with ``log=True``).
    log : bool, default=False
        Space the positions evenly on a log scale (for learning rates, regularisation, ...).
    description : str or None, default=None
        Text beside the slider; None uses the control's name.

    Examples
    --------
    >>> Slider(1, 15).initial_value, Slider(0.0, 1.0).initial_value
    (8, 0.5)
    >>> Slider(1e-4, 1.0, log=True).initial_value
    0.0001
    """

    low: float
    high: float
    _: KW_ONLY  # everything after this line must be passed by name
    step: float | None = None
    value: float | None = None
    log: bool = False
    description: str | None = None

    def __post_init__(self) -> None:
        # Checked, not converted: ints keep the slider whole-numbered (see is_integer);
        # value is checked by _check below.
        real_number("low", self.low)
        real_number("high", self.high)
        if self.step is not None:
            real_number("step", self.step, above=0)
        if not self.low < self.high:
            raise ValueError(
                f"low must be smaller than high. Received: low={self.low}, high={self.high}"
            )
        if self.log and self.low <= 0:
            raise ValueError(
                f"A log slider needs low > 0 (log of 0 or less is undefined). Received: "
                f"low={self.low}"
            )
        if self.value is not None:
            self._check(self.value, name="value")

    @property
    def is_integer(self) -> bool:
        """Whether the slider holds whole numbers (low, high and step are all ints)."""
        ends = (self.low, self.high, 1 if self.step is None else self.step)
        return not self.log and all(isinstance(end, numbers.Integral) for end in ends)

    @property
    def initial_value(self) -> float:
        """The start position: ``value``, or the middle of the range (``low`` on a log slider)."""
        if self.value is not None:
            return self.value
        if self.log:
            return self.low
        if self.step is None:
            return (self.low + self.high) // 2 if self.is_integer else (self.low + self.high) / 2
        # Start on a step, so that the browser shows exactly the value draw() receives.
        return self.low + round((self.high - self.low) / (2 * self.step)) * self.step

    def _check(self, number: Any, *, name: str) -> None:
        """Raise a clear error unless ``number`` is a value this slider can take."""
        real_number(name, number)
        if self.is_integer and not isinstance(number, numbers.Integral):
            raise TypeError(
                f"{name} must be a whole number on this slider (low={self.low}, high={self.high}"
                f"). Received: {name}={number!r}. Use float ends such as low=1.0 for decimals."
            )
        if not self.low <= number <= self.high:
            raise ValueError(
                f"{name}={number} is outside the slider's range [{self.low}, {self.high}]. "
                f"Received: {name}={number}"
            )

    def _make_widget(self, name: str, *, continuous_update: bool = False) -> ipywidgets.Widget:
        """Build the ipywidgets slider for this spec, labelled with ``name``."""
        common = {
            "value": self.initial_value,
            "description": self.description or name,
            "continuous_update": continuous_update,
            "style": {"description_width": "initial"},
        }
        if self.log:
            # FloatLogSlider's min, max and step are base-10 exponents; its value is not.
            low, high = math.log10(self.low), math.log10(self.high)
            step = 0.1 if self.step is None else self.step
            return ipywidgets.FloatLogSlider(min=low, max=high, step=step, base=10, **common)
        if self.is_integer:
            step = 1 if self.step is None else self.step
            return ipywidgets.IntSlider(min=self.low, max=self.high, step=step, **common)
        step = (self.high - self.low) / 100 if self.step is None else self.step
        return ipywidgets.FloatSlider(
            min=self.low, max=self.high, step=step, readout_format=".3g", **common
        )


@dataclass(frozen=True)
class Dropdown:
    """A drop-down menu to pick one of a few options.

    Parameters
    ----------
    options : sequence
        The choices, e.g. ``["linear", "rbf"]``; shown as ``str(option)``.
    value : object or None, default=None
        The option picked at the start; None means the first one.
    description : str or None, default=None
        Text beside the menu; None uses the control's name.

    Examples
    --------
    >>> Dropdown(["linear", "rbf"]).initial_value
    'linear'
    """

    options: Sequence[Any]
    _: KW_ONLY  # everything after this line must be passed by name
    value: Any = None
    description: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.options, str) or not isinstance(self.options, Sequence):
            raise TypeError(
                f"options must be a list of choices, such as ['linear', 'rbf']. Received: "
                f"options={self.options!r}"
            )
        if len(self.options) == 0:
            raise ValueError("options is empty: a drop-down needs at least one choice.")
        if self.value is not None:
            self._check(self.value, name="value")

    @property
    def initial_value(self) -> Any:
        """The option picked at the start: ``value``, or the first option."""
        return self.options[0] if self.value is None else self.value

    def _check(self, choice: Any, *, name: str) -> None:
        """Raise a clear error unless ``choice`` is one of the options."""
        if choice not in self.options:
            raise ValueError(
                f"{name}={choice!r} is not one of the options {list(self.options)}. "
                f"Received: {name}={choice!r}"
            )

    def _make_widget(self, name: str, *, continuous_update: bool = False) -> ipywidgets.Widget:
        """Build the ipywidgets drop-down for this spec (continuous_update does not apply)."""
        return ipywidgets.Dropdown(
            options=list(self.options),
            value=self.initial_value,
            description=self.description or name,
            style={"description_width": "initial"},
        )
