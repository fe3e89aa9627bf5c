"""Route what a playground's ``draw`` shows into its Output area, without closed widgets.

In a Jupyter kernel, everything ``draw`` prints or displays inside ``with output:`` is
captured *by the frontend* into the Output widget's list of outputs, progress bars included:
``tqdm.auto`` makes an ipywidgets bar there. A bar made with ``leave=False`` (the step bar of
``labkit.fit(progress="bar")``) is closed when it finishes: its widget model is removed, but
the Output's list still holds a view of it, which JupyterLab then shows as "Error displaying
widget: model not found" (e.g. when the playground is displayed after Run All drew it).

The list belongs to the frontend and reaches the kernel late, so the kernel cannot simply
filter it. :func:`draw_output` instead tees what ``draw`` shows (text streams and display
messages, in order) while it shows it live, and when ``draw`` has returned, if any widget it
displayed has been closed since, clears the area and shows again what is left. Every step is
a message captured in order by the Output area (as ``clear_output`` is), so a frontend and a
saved notebook end up with the same outputs.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import ipywidgets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

__all__ = ["draw_output", "kernel_shell", "without_closed_widgets"]


def kernel_shell() -> Any:
    """The IPython shell of the running Jupyter kernel, or None outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return shell


def _is_closed(model_id: str) -> bool:
    """True if no open widget has this model id (Widget.close() removes it)."""
    from ipywidgets.widgets import widget as widget_module

    return model_id not in widget_module._instances


def _closed_widget_view(output: dict[str, Any]) -> bool:
    """True if ``output`` (an nbformat output dict) shows a widget that has been closed."""
    view = output.get("data", {}).get(WIDGET_VIEW)
    return isinstance(view, dict) and _is_closed(str(view.get("model_id")))


def without_closed_widgets(outputs: Any) -> tuple[dict[str, Any], ...]:
    """``outputs`` (an Output widget's list) without the views of closed widgets.

    >>> import ipywidgets
    >>> bar = ipywidgets.IntProgress()
    >>> view = {"output_type": "display_data", "metadata": {},
    ...         "data": {WIDGET_VIEW: {"model_id": bar.model_id, "version_major": 2}}}
    >>> text = {"output_type": "stream", "name": "stdout", "text": "done\\n"}
    >>> len(without_closed_widgets([view, text]))
    2
    >>> bar.close()
    >>> without_closed_widgets([view, text]) == (text,)
    True
    """
    return tuple(output for output in outputs if not _closed_widget_view(output))


class _Recording:
    """What ``draw`` showed, as the Output area holds it: streams merged, displays updated."""

    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []
        self._clear_before_next = False

    def _add(self, output: dict[str, Any]) -> None:
        if self._clear_before_next:
            self.outputs.clear()
            self._clear_before_next = False
        self.outputs.append(output)

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.outputs[-1] if self.outputs and not self._clear_before_next else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self._add({"output_type": "stream", "name": name, "text": text})

    def message(self, msg: dict[str, Any]) -> dict[str, Any]:
        """A display publisher hook: note the message and let it through unchanged."""
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "display_data":
            self._add(
                {
                    "output_type": "display_data",
                    "data": content.get("data", {}),
                    "metadata": content.get("metadata", {}),
                    "transient": content.get("transient", {}),
                }
            )
        elif kind == "update_display_data":
            display_id = content.get("transient", {}).get("display_id")
            for output in self.outputs:
                if display_id and output.get("transient", {}).get("display_id") == display_id:
                    output["data"] = content.get("data", {})
                    output["metadata"] = content.get("metadata", {})
        elif kind == "clear_output":
            if content.get("wait"):
                self._clear_before_next = True
            else:
                self.outputs.clear()
                self._clear_before_next = False
        return msg


class _Tee:
    """A text stream that writes through to ``stream`` and notes what was written."""

    def __init__(self, stream: Any, name: str, recording: _Recording) -> None:
        self._stream, self._name, self._recording = stream, name, recording

    def write(self, text: str) -> int:
        self._recording.stream(self._name, text)
        return self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def draw_output(output: ipywidgets.Output) -> Iterator[None]:
    """Show what the block prints or displays in ``output``, live, replacing the last draw's.

    Outside a kernel the area is just emptied (nothing is captured there). In a kernel, once
    the block has finished, the area holds what it showed minus the views of widgets it
    closed (a finished ``leave=False`` progress bar). Exceptions must be caught inside the
    block: in a kernel, ``with output:`` would swallow them.
    """
    shell = kernel_shell()
    if shell is None:
        output.outputs = ()  # clear_output would print outside Jupyter
        yield
        return
    from IPython.display import clear_output

    publisher = shell.display_pub
    if not hasattr(publisher, "register_hook"):  # not ipykernel's publisher: show, no tidying
        with output:
            clear_output()
            yield
        return
    recording = _Recording()
    with output:
        # The last draw's outputs stay until this one shows something: no jump in the layout.
        clear_output(wait=True)
        stdout, stderr = sys.stdout, sys.stderr
        publisher.register_hook(recording.message)
        sys.stdout = _Tee(stdout, "stdout", recording)
        sys.stderr = _Tee(stderr, "stderr", recording)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = stdout, stderr
            publisher.unregister_hook(recording.message)
            kept = without_closed_widgets(recording.outputs)
            # Rewrite the area if a widget shown there was closed, or if the draw showed
            # nothing (the last draw's outputs would stay up, waiting for the next output).
            if len(kept) < len(recording.outputs) or not recording.outputs:
                clear_output()
                _show_again(kept, publisher)


def _show_again(outputs: tuple[dict[str, Any], ...], publisher: Any) -> None:
    """Show recorded outputs again, in order, inside the current ``with output:``."""
    for output in outputs:
        if output["output_type"] == "stream":
            stream = sys.stdout if output["name"] == "stdout" else sys.stderr
            stream.write(output["text"])
            stream.flush()
        else:
            publisher.publish(
                data=output["data"], metadata=output["metadata"], transient=output["transient"]
            )
