"""The lessons as a learner meets them: a real JupyterLab, driven by headless Chromium.

The tests start JupyterLab on 127.0.0.1 (token set, no browser, autosave off) on
temporary copies of the learner versions prepared with ``SMOKE = True``, open one in
Chromium through Playwright, run all cells, wait until every cell has run and the kernel
is idle, and check that no cell shows an error and no widget fails to display ("Error
displaying widget", the mark of a widget closed while an output still shows it). Every
lesson is run so; in lesson 01 the test then moves the learning-rate slider of the
playground and checks that the figure was redrawn: it waits for the numbers the redraw
prints under the figure to change, then compares the pictures. Screenshots go to
``test-artifacts/browser/``.

Without Playwright or Chromium the test is skipped with the reason, unless
``LABKIT_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs both): then it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from labkit.paths import COURSE_ROOT, NOTEBOOKS
from labkit.runner import inject_parameters

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
LESSON = next(path for path in LESSONS if path.name.startswith("01_"))
ARTIFACTS = COURSE_ROOT / "test-artifacts" / "browser"
REQUIRED = os.environ.get("LABKIT_REQUIRE_BROWSER") == "1"
# Headless Chromium as root, with nothing that phones home: this machine has no network,
# and Chromium's background connections would only fail and slow it down.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# JupyterLab settings for the test: never write the executed notebook back, no news pop-up.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
# JavaScript run in the page. `jupyterapp` is there thanks to expose_app_in_browser.
KERNEL_READY = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
ALL_CELLS_RAN = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session.kernel;
    const cells = Array.from(panel.content.model.cells);
    const code = cells.filter(cell => cell.type === 'code');
    return kernel.status === 'idle' && code.every(cell => cell.executionCount !== null);
}"""
ERRORS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const found = [];
    Array.from(panel.content.model.cells).forEach((cell, index) => {
        if (cell.type !== 'code') return;
        for (const output of cell.outputs.toJSON()) {
            if (output.output_type === 'error') found.push([index, output.ename, output.evalue]);
        }
    });
    return found;
}"""


def _browser_or_reason() -> tuple[object, str | None]:
    """Playwright's sync API and Chromium's path, or why they are missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "Playwright is not installed (pip install playwright)"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None, "Chromium is not installed (Debian: apt-get install chromium)"
    return (sync_playwright, chromium), None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(root: Path) -> None:
    """Every learner version with SMOKE = True, as a learner's copies would be."""
    for lesson in LESSONS:
        nb = inject_parameters(nbformat.read(lesson, as_version=4), {"SMOKE": True})
        nbformat.write(nb, root / lesson.name)


def test_the_prepared_copies_run_in_smoke_mode(tmp_path: Path) -> None:
    # inject_parameters returns a copy; writing the notebook it was given instead would make
    # every browser run a full default run (it did: lesson 10 took 178 s instead of ~20 s).
    _prepare(tmp_path)
    for lesson in LESSONS:
        cells = nbformat.read(tmp_path / lesson.name, as_version=4).cells
        injected = [c for c in cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "SMOKE = True" in injected[0].source, lesson.name


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[dict]:
    """A JupyterLab server on 127.0.0.1 serving prepared copies of the lessons."""
    tools, reason = _browser_or_reason()
    if reason is not None:
        if REQUIRED:
            pytest.fail(f"LABKIT_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("lab")
    root, settings = base / "notebooks", base / "settings"
    root.mkdir()
    _prepare(root)
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = os.environ | {"JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_CONFIG_DIR": str(base)}
    log = (base / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(url, token, server)
        yield {"url": url, "token": token, "tools": tools}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_for_server(url: str, token: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("JupyterLab exited before it answered; see jupyterlab.log")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("JupyterLab did not answer within 60 s")


def _run_all(page, lab: dict, lesson: Path) -> None:
    """Open ``lesson`` in JupyterLab, Run All, wait for the end; no error, no broken widget."""
    # A workspace of its own, reset: JupyterLab would otherwise reopen the last test's tabs.
    workspace = f"lesson{lesson.name[:2]}-{secrets.token_hex(4)}"
    page.goto(
        f"{lab['url']}/lab/workspaces/{workspace}/tree/{lesson.name}?reset&token={lab['token']}"
    )
    page.wait_for_function(KERNEL_READY, timeout=120_000)
    # Not awaited: the command's promise ends only when every cell has run.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # Generous: a browser drawing progress bars on a machine shared with other tests is slow.
    page.wait_for_function(ALL_CELLS_RAN, timeout=900_000, polling=500)
    assert page.evaluate(ERRORS) == []
    page.wait_for_timeout(1000)  # widgets render a moment after their cell has run
    broken = page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
    assert broken.count() == 0, broken.first.text_content()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.name[:2])
def test_every_lesson_runs_in_jupyterlab_without_broken_widgets(lab: dict, lesson: Path) -> None:
    sync_playwright, chromium = lab["tools"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        try:
            _run_all(page, lab, lesson)
        finally:
            page.screenshot(path=ARTIFACTS / f"lesson{lesson.name[:2]}-run-all.png")
            browser.close()
            _shut_down_kernels(lab)


def _shut_down_kernels(lab: dict) -> None:
    """Stop every kernel the server runs, so that the next lesson has the machine to itself."""
    api = f"{lab['url']}/api/kernels"
    headers = {"Authorization": f"token {lab['token']}"}
    with urllib.request.urlopen(urllib.request.Request(api, headers=headers), timeout=10) as r:
        kernels = json.load(r)
    for kernel in kernels:
        request = urllib.request.Request(f"{api}/{kernel['id']}", headers=headers, method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def test_lesson_01_runs_in_jupyterlab_and_its_slider_redraws(lab: dict) -> None:
    sync_playwright, chromium = lab["tools"]
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 800})  # a laptop screen
        _run_all(page, lab, LESSON)
        ran = time.monotonic() - start

        playground = page.locator(".widget-vbox", has=page.locator(".widget-image")).last
        playground.scroll_into_view_if_needed()
        message = playground.locator(".widget-html").last
        # Widgets render a moment after their cell has run.
        expect(message).to_contain_text("final loss", timeout=60_000)
        before_text = message.text_content()
        before_image = playground.locator(".widget-image").screenshot()
        page.screenshot(path=ARTIFACTS / "lesson01-before.png")

        # The first slider is the learning rate. Type a new value into its readout, as a
        # learner may: from the converging rate the lesson leaves it at (0.1) to one that
        # diverges. (One change, so one redraw: arrow keys would queue one redraw per step.)
        readout = playground.locator(".widget-readout").first
        before_lr = readout.text_content()
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.9")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([element, old]) => element.textContent !== old",
            arg=[message.element_handle(), before_text],
            timeout=60_000,
        )
        after_text = message.text_content()
        after_lr = readout.text_content()
        page.wait_for_timeout(500)  # the picture arrives with the same update; let it paint
        after_image = playground.locator(".widget-image").screenshot()
        page.screenshot(path=ARTIFACTS / "lesson01-after.png")
        browser.close()
    total = time.monotonic() - start
    print(f"\nRun All took {ran:.1f} s; whole browser test {total:.1f} s")
    print(f"before: lr {before_lr}, {before_text!r}\nafter:  lr {after_lr}, {after_text!r}")
    print(f"screenshots in {ARTIFACTS}")
    assert float(after_lr) > float(before_lr)
    assert after_text != before_text
    assert after_image != before_image  # the figure itself was redrawn
