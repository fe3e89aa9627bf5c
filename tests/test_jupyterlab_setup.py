"""What a learner's JupyterLab needs: the right kernel, widgets that render, figures that fit.

The browser test (``test_browser.py``) shows all of it working in Chromium; these checks say
why, cheaply, and fail with a clear message when a version bump breaks one of them.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from jupyter_client import KernelManager

from labkit.paths import learner_versions, lesson_sources

NOTEBOOKS = [*lesson_sources(), *learner_versions()]
# The widest figure that fits beside JupyterLab's file browser on a 1366-pixel laptop screen.
MAX_FIGURE_WIDTH_INCHES = 11


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_ask_for_the_kernel_the_setup_installs(path: Path) -> None:
    kernelspec = json.loads(path.read_text())["metadata"]["kernelspec"]
    assert kernelspec["name"] == "python3", f"{path.name} asks for {kernelspec['name']!r}"


def test_the_python3_kernel_is_this_environments_python() -> None:
    # JupyterLab started from .venv (bootstrap.py start) finds ipykernel's "python3" kernel
    # spec, whose "python" jupyter_client replaces with the Python running JupyterLab: the
    # notebooks run with the packages the setup installed.
    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(command[0]).parent == Path(sys.executable).parent, command  # same environment


def test_widget_versions_match_jupyterlab_4() -> None:
    # ipywidgets 8 talks to the JupyterLab 4 extension jupyterlab_widgets 3; a mismatch
    # shows "Error displaying widget" instead of the playground.
    assert version("jupyterlab").startswith("4.")
    assert version("ipywidgets").startswith("8.")
    assert version("jupyterlab_widgets").startswith("3.")
    extension = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager"
    assert (extension / "package.json").is_file(), f"widget extension missing: {extension}"


@pytest.mark.parametrize("path", lesson_sources(), ids=lambda p: p.name)
def test_figures_fit_a_laptop_screen(path: Path) -> None:
    sources = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
    widths = [float(w) for w in re.findall(r"figsize=\(\s*([\d.]+)\s*,", sources)]
    too_wide = [w for w in widths if w > MAX_FIGURE_WIDTH_INCHES]
    assert not too_wide, f"{path.name}: figures {too_wide} in wide; at most 11 in fits"
