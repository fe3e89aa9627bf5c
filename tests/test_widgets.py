"""Tests for labkit.widgets: control specs, the widgets built from them, and Playground redraws."""

import dataclasses
import math

import ipywidgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from labkit.widgets import Dropdown, Playground, Slider

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Recorder:
    """A tiny draw function that remembers every call and draws a line at height ``degree``."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, ax, *, degree, kind="linear"):
        self.calls.append({"degree": degree, "kind": kind})
        if degree == 0:
            raise ZeroDivisionError("degree must not be 0")
        ax.plot([0, 1], [degree, degree])
        ax.set_ylim(0, 15)
        return {"train_error": 1 / degree, "degree": degree}


@pytest.fixture
def draw():
    return Recorder()


@pytest.fixture
def playground(draw):
    controls = {"degree": Slider(0, 15, value=3), "kind": Dropdown(["linear", "rbf"])}
    return Playground(draw, controls, title="Polynomial fit", figsize=(2, 1.5))


# --- Slider and Dropdown specs -------------------------------------------------------------


def test_slider_is_integer_only_when_low_high_and_step_are_ints():
    assert Slider(1, 15).is_integer
    assert Slider(1, 15, step=2).is_integer
    assert not Slider(1, 15, step=0.5).is_integer
    assert not Slider(0.0, 1.0).is_integer
    assert not Slider(1, 100, log=True).is_integer


def test_slider_initial_values():
    assert Slider(1, 15).initial_value == 8
    assert Slider(0.0, 1.0).initial_value == 0.5
    assert Slider(1, 15, step=4).initial_value == 9  # on a step: 1, 5, 9, 13
    assert Slider(1e-4, 1.0, log=True).initial_value == 1e-4
    assert Slider(0.0, 1.0, value=0.2).initial_value == 0.2


def test_slider_is_frozen_and_step_is_keyword_only():
    slider = Slider(0.0, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        slider.low = 0.5
    with pytest.raises(TypeError):
        Slider(0.0, 1.0, 0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"low": 5, "high": 5}, ValueError, "low must be smaller than high.*low=5, high=5"),
        ({"low": 2.0, "high": 1.0}, ValueError, "low must be smaller than high"),
        ({"low": 0, "high": 5, "step": 0}, ValueError, "step must be a finite number > 0.*step=0"),
        ({"low": 0, "high": 5, "value": 6}, ValueError, r"value=6 is outside.*\[0, 5\]"),
        ({"low": 0.0, "high": 1.0, "log": True}, ValueError, "log slider needs low > 0"),
        ({"low": "0", "high": 1}, TypeError, "low must be a number.*low='0'"),
        ({"low": 0, "high": 1, "value": True}, TypeError, "value must be a number"),
        ({"low": 1, "high": 15, "value": 2.5}, TypeError, "whole number.*value=2.5"),
    ],
)
def test_slider_validation(kwargs, error, message):
    low, high = kwargs.pop("low"), kwargs.pop("high")
    with pytest.raises(error, match=message):
        Slider(low, high, **kwargs)


def test_dropdown_spec_and_validation():
    assert Dropdown(["linear", "rbf"]).initial_value == "linear"
    assert Dropdown(("linear", "rbf"), value="rbf").initial_value == "rbf"
    with pytest.raises(ValueError, match="options is empty"):
        Dropdown([])
    with pytest.raises(TypeError, match="options must be a list.*options='rbf'"):
        Dropdown("rbf")
    with pytest.raises(ValueError, match=r"value='poly' is not one of the options \['linear'"):
        Dropdown(["linear", "rbf"], value="poly")


# --- widgets built from the specs -------------------------------------------------------


def test_widget_types_ranges_and_descriptions(draw):
    controls = {
        "degree": Slider(1, 15, step=2, value=3),
        "noise": Slider(0.0, 1.0, value=0.2, description="noise level"),
        "kind": Dropdown(["linear", "rbf"]),
    }
    pg = Playground(lambda ax, **values: None, controls)
    degree, noise, kind = (pg.controls[name] for name in ["degree", "noise", "kind"])
    assert isinstance(degree, ipywidgets.IntSlider)
    assert (degree.min, degree.max, degree.step, degree.value) == (1, 15, 2, 3)
    assert degree.description == "degree"
    assert isinstance(noise, ipywidgets.FloatSlider)
    assert (noise.min, noise.max, noise.step, noise.value) == (0.0, 1.0, 0.01, 0.2)
    assert noise.description == "noise level"
    assert isinstance(kind, ipywidgets.Dropdown)
    assert kind.options == ("linear", "rbf")
    assert not degree.continuous_update  # redraw on release by default


def test_log_slider_maps_exponents_to_values():
    pg = Playground(lambda ax, *, lr: None, {"lr": Slider(1e-4, 1.0, log=True)})
    widget = pg.controls["lr"]
    assert isinstance(widget, ipywidgets.FloatLogSlider)
    assert (widget.base, widget.min, widget.max, widget.step) == (10, -4.0, 0.0, 0.1)
    assert widget.value == pytest.approx(1e-4)
    pg.run(lr=0.01)
    assert widget.value == 0.01
    assert math.log10(widget.value) == pytest.approx(-2.0)


def test_continuous_update_is_passed_to_sliders():
    pg = Playground(lambda ax, *, n: None, {"n": Slider(1, 3)}, continuous_update=True)
    assert pg.controls["n"].continuous_update


# --- Playground ----------------------------------------------------------------------------


def test_playground_draws_once_at_start(playground, draw):
    assert draw.calls == [{"degree": 3, "kind": "linear"}]
    assert playground.draw_count == 1
    assert playground.values == {"degree": 3, "kind": "linear"}
    assert bytes(playground.image.value).startswith(PNG_SIGNATURE)
    assert playground.message.value == "train_error = 0.3333<br>degree = 3"


def test_moving_a_slider_redraws_in_place(playground, draw):
    old_picture = bytes(playground.image.value)
    playground.controls["degree"].value = 7
    assert draw.calls[-1] == {"degree": 7, "kind": "linear"}
    assert playground.draw_count == 2
    assert bytes(playground.image.value) != old_picture
    assert bytes(playground.image.value).startswith(PNG_SIGNATURE)
    assert "degree = 7" in playground.message.value
    playground.controls["kind"].value = "rbf"
    assert draw.calls[-1] == {"degree": 7, "kind": "rbf"}
    assert playground.draw_count == 3


def test_playground_keeps_one_figure_outside_pyplot(playground):
    figures_before = plt.get_fignums()
    playground.controls["degree"].value = 5
    playground.run(degree=6)
    assert isinstance(playground.figure, Figure)
    assert len(playground.figure.axes) == 1  # cleared before every draw
    assert playground.figure.get_suptitle() == "Polynomial fit"
    assert list(playground.figure.get_size_inches()) == [2, 1.5]
    assert plt.get_fignums() == figures_before


def test_run_moves_controls_redraws_once_and_returns_draws_dict(playground, draw):
    result = playground.run(degree=4, kind="rbf")
    assert result == {"train_error": 0.25, "degree": 4}
    assert draw.calls[-1] == {"degree": 4, "kind": "rbf"}
    assert playground.draw_count == 2  # one redraw for both values
    assert playground.values == {"degree": 4, "kind": "rbf"}
    assert playground.controls["degree"].value == 4


def test_run_without_values_redraws_with_current_values(playground, draw):
    assert playground.run() == {"train_error": 1 / 3, "degree": 3}
    assert draw.calls[-1] == {"degree": 3, "kind": "linear"}


def test_run_rejects_unknown_names_and_values_out_of_range(playground):
    with pytest.raises(ValueError, match=r"no control named 'noise'.*\['degree', 'kind'\]"):
        playground.run(noise=0.1)
    with pytest.raises(ValueError, match=r"degree=16 is outside the slider's range \[0, 15\]"):
        playground.run(degree=16)
    with pytest.raises(TypeError, match="degree must be a whole number.*degree=2.5"):
        playground.run(degree=2.5)
    with pytest.raises(ValueError, match=r"kind='poly' is not one of the options"):
        playground.run(kind="poly")
    assert playground.draw_count == 1  # nothing was drawn or moved
    assert playground.values == {"degree": 3, "kind": "linear"}


def test_failing_draw_shows_a_message_and_no_stale_picture(playground, capsys):
    assert playground.image.layout.display is None
    playground.controls["degree"].value = 0  # draw raises; no traceback reaches the learner
    message = playground.message.value
    assert "Could not draw with degree=0, kind=&#x27;linear&#x27;" in message
    assert "ZeroDivisionError: degree must not be 0" in message
    assert "color" in message  # styled as an error
    # The picture drawn with degree=3 is gone: under the error it would read as degree=0's.
    assert bytes(playground.image.value) == b""
    assert playground.image.layout.display == "none"
    assert playground.draw_count == 2
    playground.controls["kind"].value = "rbf"  # still failing: still no picture
    assert (bytes(playground.image.value), playground.image.layout.display) == (b"", "none")
    playground.controls["degree"].value = 2  # the next good value draws again
    assert playground.message.value.startswith("train_error = 0.5")
    assert bytes(playground.image.value).startswith(PNG_SIGNATURE)
    assert playground.image.layout.display is None
    assert capsys.readouterr() == ("", "")  # printed nothing


def test_run_button_mode_hides_the_picture_when_run_fails():
    def draw(ax, *, epochs):
        if epochs > 10:
            raise ValueError("too many epochs for this demo")
        ax.plot(range(epochs))

    pg = Playground(draw, {"epochs": Slider(1, 50, value=5)}, run_button=True)
    pg.controls["epochs"].value = 20
    assert pg.image.layout.display is None  # not run yet: the picture is epochs=5's, as said
    pg.button.click()
    assert (bytes(pg.image.value), pg.image.layout.display) == (b"", "none")
    pg.controls["epochs"].value = 8
    pg.button.click()
    assert bytes(pg.image.value).startswith(PNG_SIGNATURE)
    assert pg.image.layout.display is None


def test_run_reraises_draw_errors_after_showing_them(playground):
    with pytest.raises(ZeroDivisionError, match="degree must not be 0"):
        playground.run(degree=0)
    assert "Could not draw with degree=0" in playground.message.value
    assert playground.image.layout.display == "none"


def test_draw_returning_none_shows_no_numbers_and_other_types_are_errors():
    pg = Playground(lambda ax, *, n: None, {"n": Slider(1, 3)})
    assert pg.run(n=2) == {}
    assert pg.message.value == ""
    bad = Playground(lambda ax, *, n: [n], {"n": Slider(1, 3)})
    assert "draw must return a dict" in bad.message.value
    with pytest.raises(TypeError, match=r"draw must return a dict.*Received: \[2\]"):
        bad.run(n=2)


def test_widget_layout_and_notebook_display(playground):
    children = playground.widget.children
    assert isinstance(playground.widget, ipywidgets.VBox)
    assert children == (
        *playground.controls.values(),
        playground.output,
        playground.image,
        playground.message,
    )
    bundle = playground._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == playground.widget.model_id


def test_playground_argument_errors(draw):
    with pytest.raises(TypeError, match="draw must be a function"):
        Playground("draw", {"degree": Slider(1, 3)})
    with pytest.raises(TypeError, match="controls must be a non-empty dict"):
        Playground(draw, {})
    with pytest.raises(TypeError, match="controls must be a non-empty dict"):
        Playground(draw, [Slider(1, 3)])
    with pytest.raises(ValueError, match="valid Python names. Received: 'learning rate'"):
        Playground(draw, {"learning rate": Slider(0.1, 1.0)})
    with pytest.raises(TypeError, match=r"controls\['degree'\] must be a Slider or a Dropdown"):
        Playground(draw, {"degree": (1, 15)})


def test_run_button_mode_waits_for_the_button():
    calls = []

    def slow_draw(ax, *, epochs):
        calls.append(epochs)
        ax.plot(range(epochs))
        return {"epochs": epochs}

    pg = Playground(slow_draw, {"epochs": Slider(1, 50, value=5)}, run_button=True)
    assert calls == [5] and pg.draw_count == 1  # drawn once at the start
    first_picture = pg.image.value
    pg.controls["epochs"].value = 40
    assert calls == [5]  # moving the slider does not retrain
    assert pg.message.value == "Press Run to redraw with epochs = 40."
    pg.button.click()
    assert calls == [5, 40] and pg.draw_count == 2
    assert pg.image.value != first_picture and pg.message.value == "epochs = 40"
    assert (pg.button.description, pg.button.disabled) == ("Run", False)
    assert pg.widget.children[1] is pg.button


def test_run_button_mode_shows_errors_without_raising():
    def draw(ax, *, epochs):
        if epochs > 10:
            raise ValueError("too many epochs for this demo")
        return {"epochs": epochs}

    pg = Playground(draw, {"epochs": Slider(1, 50, value=5)}, run_button=True)
    pg.controls["epochs"].value = 20
    pg.button.click()  # no exception: the message says what went wrong
    assert "too many epochs for this demo" in pg.message.value
    assert (pg.button.description, pg.button.disabled) == ("Run", False)


def test_draw_errors_reach_the_message_inside_a_real_kernel():
    # In a kernel, ipywidgets' Output area swallows exceptions raised inside it: the
    # playground must still show its clear message and re-raise from run().
    import nbformat
    from nbclient import NotebookClient

    code = (
        "from labkit.widgets import Playground, Slider\n"
        "def draw(ax, *, x):\n"
        "    if x > 5:\n"
        "        raise ValueError('x too big for this demo')\n"
        "    return {'x': x}\n"
        "pg = Playground(draw, {'x': Slider(1, 10, value=2)}, run_button=True)\n"
        "pg.controls['x'].value = 8\n"
        "pg.button.click()\n"
        "print('MESSAGE:', pg.message.value)\n"
        "try:\n"
        "    pg.run(x=9)\n"
        "except ValueError as error:\n"
        "    print('RAISED:', error)\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "Could not draw with x=8: ValueError: x too big for this demo" in printed
    assert "RAISED: x too big for this demo" in printed


def test_widgets_closed_by_draw_leave_no_view_in_the_output_area_inside_a_real_kernel(
    monkeypatch,
):
    # Lesson 06's draw trains with a tqdm bar: tqdm.auto makes ipywidgets bars in the Output
    # area, and the leave=False one is closed when done. A view of a closed model left in the
    # area reads "Error displaying widget: model not found" in JupyterLab. nbclient plays the
    # frontend here: it fills the Output's outputs, syncs them back to the kernel, and stores
    # them in the notebook's widget state, as a saved notebook would hold them.
    import json

    import nbclient.output_widget
    import nbformat
    from nbclient import NotebookClient

    shown = []  # every output the Output area received while the cells ran
    receive = nbclient.output_widget.OutputWidget.output

    def spy(self, outs, msg, display_id, cell_index):
        shown.append(msg["content"])
        return receive(self, outs, msg, display_id, cell_index)

    monkeypatch.setattr(nbclient.output_widget.OutputWidget, "output", spy)
    draw_code = (
        "import ipywidgets\n"
        "from IPython.display import display\n"
        "from tqdm.auto import tqdm\n"
        "from labkit.widgets import Playground, Slider\n"
        "closed, kept = [], []\n"
        "def draw(ax, *, n):\n"
        "    print('training', n)\n"
        "    progress = ipywidgets.IntProgress(max=n)\n"
        "    display(progress)\n"
        "    steps = tqdm(range(n), leave=False)\n"
        "    epochs = tqdm(total=n, desc='epochs')\n"  # left in place when done
        "    closed.extend([progress.model_id, steps.container.model_id])\n"
        "    kept.append(epochs.container.model_id)\n"
        "    for _ in steps:\n"  # the step bar closes itself at the end
        "        progress.value += 1\n"
        "    epochs.update(n)\n"
        "    epochs.close()\n"
        "    progress.close()\n"
        "    print('done', n)\n"
        "    return {'n': n}\n"
        "pg = Playground(draw, {'n': Slider(1, 5, value=2)})\n"
        "pg.run(n=3)\n"
        "pg.controls['n'].value = 4\n"
    )
    report_code = (
        "import json\n"
        "from tqdm.notebook import tqdm_notebook\n"
        "print(json.dumps({'outputs': list(pg.output.outputs), 'closed': closed,\n"
        "                  'kept': kept, 'model_id': pg.output.model_id,\n"
        "                  'widget_bars': issubclass(tqdm, tqdm_notebook)}))\n"
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(draw_code), nbformat.v4.new_code_cell(report_code)]
    )
    NotebookClient(nb, kernel_name="python3", timeout=120, store_widget_state=True).execute()
    report = json.loads("".join(o.get("text", "") for o in nb.cells[1].outputs))
    assert report["widget_bars"]  # in a kernel, tqdm.auto makes ipywidgets bars
    assert len(report["closed"]) == 6 and len(report["kept"]) == 3  # three draws

    def views(outputs):
        return [
            o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
            for o in outputs
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]

    # Every bar was in the area while its draw ran: the learner saw the progress.
    assert set(report["closed"] + report["kept"]) <= set(views(shown))
    saved_state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    saved = saved_state[report["model_id"]]["state"]["outputs"]
    for outputs in (report["outputs"], saved):  # the kernel's copy and the saved notebook's
        assert views(outputs) == [report["kept"][-1]]  # the last draw's epoch bar only
        text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
        assert "training 4" in text and "done 4" in text
        assert "training 3" not in text  # the previous draw's output was replaced


def test_the_draw_recording_keeps_what_the_output_area_keeps_minus_closed_widgets():
    # The bookkeeping behind the kernel test above, without a kernel: what the area holds
    # after a draw (streams merged, displays updated, clear_output honoured).
    from labkit.widgets._draw_output import WIDGET_VIEW, _Recording, without_closed_widgets

    def message(kind, **content):
        return {"header": {"msg_type": kind}, "content": content}

    def view(widget):
        return {WIDGET_VIEW: {"model_id": widget.model_id, "version_major": 2}}

    bar, kept = ipywidgets.IntProgress(), ipywidgets.IntProgress()
    recording = _Recording()
    recording.stream("stdout", "old\n")
    recording.message(message("clear_output", wait=True))  # cleared by the next output
    recording.stream("stdout", "training\n")
    recording.stream("stdout", "epoch 1\n")
    passed = message("display_data", data=view(bar), metadata={})
    assert recording.message(passed) is passed  # a hook that lets every message through
    recording.message(message("display_data", data=view(kept), metadata={}))
    shown = {"text/plain": "plot 1"}
    recording.message(message("display_data", data=shown, transient={"display_id": "p"}))
    recording.message(
        message("update_display_data", data={"text/plain": "plot 2"}, transient={"display_id": "p"})
    )
    recording.stream("stderr", "warning\n")
    texts = [o.get("text") or o["data"].get("text/plain") for o in recording.outputs]
    assert texts == ["training\nepoch 1\n", None, None, "plot 2", "warning\n"]
    assert without_closed_widgets(recording.outputs) == tuple(recording.outputs)
    bar.close()
    assert without_closed_widgets(recording.outputs) == (
        recording.outputs[0],
        *recording.outputs[2:],
    )
    recording.message(message("clear_output", wait=False))
    assert recording.outputs == []


def test_outside_a_kernel_a_draw_that_closes_widgets_leaves_an_empty_output_area():
    def draw(ax, *, n):
        bar = ipywidgets.IntProgress(max=n)
        bar.value = n
        bar.close()
        return {"n": n}

    pg = Playground(draw, {"n": Slider(1, 5, value=2)})
    pg.output.outputs = ({"output_type": "stream", "name": "stdout", "text": "old\n"},)
    assert pg.run(n=3) == {"n": 3}
    assert pg.output.outputs == ()
