"""The playground: controls plus one figure that a plain ``draw`` function redraws in place."""

from __future__ import annotations

import contextlib
import html
import io
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets
from matplotlib.figure import Figure

from labkit.widgets._draw_output import draw_output
from labkit.widgets.controls import Dropdown, Slider

__all__ = ["Playground"]


class Playground:
    """Controls plus one figure that ``draw`` redraws in place whenever a control moves.

    Parameters
    ----------
    draw : callable
        ``draw(ax, **values)`` draws onto the matplotlib Axes ``ax`` given one keyword argument
        per control. It may return a dict of numbers, shown under the figure as
        ``name = value``.
    controls : Mapping[str, Slider | Dropdown]
        The controls, by the name of the keyword argument of ``draw`` they set.
    title : str or None, default=None
        Title above the figure.
    figsize : tuple of (float, float) or None, default=None
        Figure size in inches; None uses matplotlib's default.
    continuous_update : bool, default=False
        Redraw while a slider is dragged (True), or only when it is released (False, which
        keeps slow ``draw`` functions responsive).
    run_button : bool, default=False
        For a ``draw`` that retrains for seconds: moving a control only says what will
        change, and a **Run** button redraws. What ``draw`` prints, and the progress bar of
        a ``labkit.fit`` inside it, appear in the playground's ``output`` area.

    Attributes
    ----------
    values : dict
        The current value of every control.
    controls : dict of str to ipywidgets widget
        The control widgets, by name; set ``.value`` on one to move it.
    figure : matplotlib Figure
        The one figure, cleared and redrawn on every change.
    image : ipywidgets.Image
        The picture of the figure (PNG), replaced in place on every change; emptied and
        hidden while ``draw`` fails, so that no older picture stands under the error.
    message : ipywidgets.HTML
        The numbers ``draw`` returned, or an error message if ``draw`` failed.
    output : ipywidgets.Output
        What ``draw`` printed during the last redraw (progress bars included, shown while
        they run; a bar closed when it finished, such as ``tqdm(leave=False)``, is removed).
    button : ipywidgets.Button or None
        The Run button (with ``run_button=True``); ``button.click()`` redraws.
    widget : ipywidgets.VBox
        Everything together; this is what the notebook shows.
    draw_count : int
        How many times ``draw`` has been called.

    Examples
    --------
    >>> def draw(ax, *, slope):
    ...     ax.plot([0, 1], [0, slope])
    ...     return {"slope": slope}
    >>> pg = Playground(draw, {"slope": Slider(-2.0, 2.0, value=1.0)}, figsize=(2, 2))
    >>> pg.run(slope=0.5)
    {'slope': 0.5}
    >>> pg.values, pg.draw_count, pg.message.value
    ({'slope': 0.5}, 2, 'slope = 0.5')
    """

    def __init__(
        self,
        draw: Callable[..., Mapping[str, Any] | None],
        controls: Mapping[str, Slider | Dropdown],
        *,
        title: str | None = None,
        figsize: tuple[float, float] | None = None,
        continuous_update: bool = False,
        run_button: bool = False,
    ) -> None:
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(ax, **values). Received: {draw!r}")
        _check_controls(controls)
        self._draw = draw
        self._specs = dict(controls)
        self.title = title
        # A bare Figure, not pyplot: no global figure list, and nothing shown automatically.
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.controls = {
            name: spec._make_widget(name, continuous_update=continuous_update)
            for name, spec in self._specs.items()
        }
        self.image = ipywidgets.Image(format="png")
        self.message = ipywidgets.HTML()
        self.output = ipywidgets.Output()
        self.button = None
        if run_button:
            self.button = ipywidgets.Button(description="Run", icon="play", button_style="primary")
            self.button.on_click(self._on_click)
        extras = [self.button] if self.button is not None else []
        self.widget = ipywidgets.VBox(
            [*self.controls.values(), *extras, self.output, self.image, self.message]
        )
        self.draw_count = 0
        self._paused = False  # True while run() moves several controls at once
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._on_change()

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def run(self, **values: Any) -> dict[str, Any]:
        """Move the named controls to ``values``, redraw, and return what ``draw`` returned.

        Controls not named keep their current value. Unlike moving a slider by hand, an
        error raised by ``draw`` is raised here too (after showing it), so that notebooks
        run as tests fail loudly.

        Parameters
        ----------
        **values
            New values, by control name, e.g. ``degree=5``.

        Returns
        -------
        dict
            What ``draw`` returned, or an empty dict if it returned None.

        Examples
        --------
        >>> pg = Playground(lambda ax, *, n: {"n squared": n**2}, {"n": Slider(1, 9)})
        >>> pg.run(n=3)
        {'n squared': 9}
        """
        for name, value in values.items():
            if name not in self._specs:
                raise ValueError(
                    f"There is no control named {name!r}. Controls: {sorted(self._specs)}. "
                    f"Received: {name}={value!r}"
                )
            self._specs[name]._check(value, name=name)
        self._paused = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._paused = False
        return self._redraw()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """Show the playground's widget when it is the last expression of a notebook cell."""
        return self.widget._repr_mimebundle_(**kwargs)

    def _on_change(self, change: Any = None) -> None:
        """Redraw after a control moved; a failing draw leaves a message, not a traceback."""
        if self._paused:
            return
        if self.button is not None and change is not None:
            # Retraining waits for the button; say what it will use.
            settings = ", ".join(_format(n, v) for n, v in self.values.items())
            self.message.value = html.escape(f"Press Run to redraw with {settings}.")
            return
        # _redraw has already shown the error under the figure; a traceback would only scare.
        with contextlib.suppress(Exception):
            self._redraw()

    def _on_click(self, button: Any = None) -> None:
        """The Run button: redraw now, with the button off until it is done."""
        self.button.disabled = True
        self.button.description = "Running..."
        try:
            with contextlib.suppress(Exception):
                self._redraw()
        finally:
            self.button.disabled = False
            self.button.description = "Run"

    def _redraw(self) -> dict[str, Any]:
        """Call draw on the cleared figure and show the picture and numbers; re-raise errors."""
        values = self.values
        self.figure.clear()
        if self.title is not None:
            self.figure.suptitle(self.title)
        self.draw_count += 1
        failure = None
        # Prints and progress bars go under the controls, replacing the last draw's; a bar
        # closed by the end of the draw (leave=False) is taken out (see _draw_output).
        with draw_output(self.output):
            try:
                result = self._draw(self.figure.add_subplot(), **values)
            except Exception as error:
                # Caught here, not outside: in a kernel the Output area would swallow it
                # and show a traceback instead of the clear message below.
                failure = error
        try:
            if failure is not None:
                raise failure
            result = _check_result(result)
        except Exception as error:
            # No picture: the last one was drawn with other values, and under this error it
            # would read as if these values had drawn it.
            self.image.value = b""
            self.image.layout.display = "none"
            self.message.value = _error_html(values, error)
            raise
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        self.image.value = buffer.getvalue()
        self.image.layout.display = None
        self.message.value = "<br>".join(html.escape(_format(n, v)) for n, v in result.items())
        return result


def _check_controls(controls: Any) -> None:
    """Raise a clear error unless controls maps identifier names to Slider/Dropdown specs."""
    if not isinstance(controls, Mapping) or len(controls) == 0:
        raise TypeError(
            f"controls must be a non-empty dict of name to Slider or Dropdown, such as "
            f"{{'degree': Slider(1, 15)}}. Received: controls={controls!r}"
        )
    for name, spec in controls.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                f"Control names become keyword arguments of draw, so they must be valid "
                f"Python names. Received: {name!r}"
            )
        if not isinstance(spec, Slider | Dropdown):
            raise TypeError(
                f"controls[{name!r}] must be a Slider or a Dropdown. Received: {spec!r}"
            )


def _check_result(result: Any) -> dict[str, Any]:
    """Return draw's result as a dict: None becomes {}, anything but a mapping is an error."""
    if result is None:
        return {}
    if not isinstance(result, Mapping):
        raise TypeError(
            f"draw must return a dict of numbers to show, or None. Received: {result!r}"
        )
    return dict(result)


def _format(name: str, value: Any) -> str:
    """Write one result as 'name = value', with 4 significant digits for decimals."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{name} = {value:.4g}"
    return f"{name} = {value}"


def _error_html(values: Mapping[str, Any], error: Exception) -> str:
    """An error message for the learner, in red, naming the values that failed."""
    settings = ", ".join(f"{name}={value!r}" for name, value in values.items())
    text = html.escape(f"Could not draw with {settings}: {type(error).__name__}: {error}")
    return f'<span style="color: #D55E00; font-weight: bold;">{text}</span>'
