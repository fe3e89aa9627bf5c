"""Tests for bootstrap.py: the start, reset and set-up commands a newcomer runs."""

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "bootstrap.py")
bootstrap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bootstrap)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_too_old_python_gets_a_clear_message(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 9, 18))
    with pytest.raises(SystemExit, match=r"needs Python 3\.11 or newer; this is Python"):
        bootstrap.check_python()


def test_missing_venv_module_gets_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(bootstrap, "VENV", tmp_path / "no-venv")
    monkeypatch.setitem(sys.modules, "venv", None)  # as on Debian without python3-venv
    with pytest.raises(SystemExit, match="apt install python3-venv"):
        bootstrap.ensure_environment()


def fake_run(failing: str | None, ran: list[list[str]]):
    """A stand-in for bootstrap.run: records each command; the one naming ``failing`` fails."""

    def run(*command):
        ran.append([str(part) for part in command])
        return 1 if failing in command else 0

    return run


def test_checks_run_lint_then_type_check_then_tests(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(bootstrap, "run", fake_run(None, ran))
    assert bootstrap.run_checks() == 0
    tools = [command[2] for command in ran]  # python -m TOOL ...
    assert tools == ["ruff", "ruff", "mypy", "pytest"]
    assert ran[2][3:] == []  # mypy takes its files and settings from pyproject.toml


def test_a_type_error_stops_the_checks_with_a_clear_message(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(bootstrap, "run", fake_run("mypy", ran))
    assert bootstrap.run_checks() == 1
    assert "pytest" not in [command[2] for command in ran]  # tests never start
    assert "Type check failed" in capsys.readouterr().out


def test_pyproject_configures_mypy_on_the_typed_packages():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    for path in config["files"]:
        assert (ROOT / path).exists(), path
    assert "labkit/device.py" in config["files"]


def test_lessons_are_copied_once_and_never_overwritten(tmp_path, monkeypatch):
    lessons = tmp_path / "notebooks"
    lessons.mkdir()
    (lessons / "00_welcome.ipynb").write_text("fresh 00")
    (lessons / "01_models.ipynb").write_text("fresh 01")
    monkeypatch.setattr(bootstrap, "LEARNER_NOTEBOOKS", lessons)
    work = tmp_path / "work"
    bootstrap.copy_lessons(work)
    (work / "01_models.ipynb").write_text("my work")
    bootstrap.copy_lessons(work)
    assert (work / "01_models.ipynb").read_text() == "my work"
    assert (work / "00_welcome.ipynb").read_text() == "fresh 00"

    args = bootstrap.get_args_parser().parse_args(["reset", "01", "--work-dir", str(work)])
    assert bootstrap.command_reset(args) == 0
    assert (work / "01_models.ipynb").read_text() == "fresh 01"
    [backup] = (work / ".backup").glob("01_models-*.ipynb")
    assert backup.read_text() == "my work"  # nothing lost
    args = bootstrap.get_args_parser().parse_args(["reset", "9", "--work-dir", str(work)])
    assert bootstrap.command_reset(args) == 2


@pytest.fixture
def lessons(tmp_path, monkeypatch):
    """A notebooks/ folder with lessons 00, 01, 10 and 11 (two titles starting alike)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("00_welcome", "01_models_weights_loss", "10_models_in_production", "11_end"):
        (folder / f"{name}.ipynb").write_text(name)
    monkeypatch.setattr(bootstrap, "LEARNER_NOTEBOOKS", folder)
    return folder


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "01",
        "001",
        " 1 ",
        "01_models_weights_loss",
        "01_models_weights_loss.ipynb",
        "work/01_models_weights_loss.ipynb",
        "01_MODELS_weights_loss",
        "models_weights_loss",
        "01_",
        "models_w",
    ],
)
def test_reset_finds_lesson_01_by_number_or_name(lessons, text):
    assert bootstrap.find_lesson(text) == lessons / "01_models_weights_loss.ipynb"


def test_reset_numbers_are_whole_numbers_not_prefixes(lessons):
    assert bootstrap.find_lesson("0").name == "00_welcome.ipynb"  # not 00 and 01
    assert bootstrap.find_lesson("10").name == "10_models_in_production.ipynb"  # not 01
    assert bootstrap.find_lesson("11").name == "11_end.ipynb"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models", r"'models' could be any of 01_models_weights_loss, 10_models_in_production: "
         r"give the lesson's number, e.g. 01\."),
        ("2", r"No lesson matches '2'\. The lessons: 00_welcome, 01_models_weights_loss, "),
        ("", r"No lesson matches ''"),
        ("*", r"No lesson matches '\*'"),
    ],
)  # fmt: skip
def test_reset_names_the_lessons_when_none_or_several_match(lessons, text, message):
    with pytest.raises(ValueError, match=message):
        bootstrap.find_lesson(text)


def test_reset_1_restores_lesson_01_and_an_ambiguous_name_changes_nothing(
    lessons, tmp_path, capsys
):
    work = tmp_path / "work"
    parse = bootstrap.get_args_parser().parse_args
    assert bootstrap.command_reset(parse(["reset", "1", "--work-dir", str(work)])) == 0
    assert sorted(p.name for p in work.iterdir()) == ["01_models_weights_loss.ipynb"]
    assert "Restored a fresh 01_models_weights_loss.ipynb" in capsys.readouterr().out
    assert bootstrap.command_reset(parse(["reset", "models", "--work-dir", str(work)])) == 2
    assert "could be any of 01_models_weights_loss, 10_models_in_production" in (
        capsys.readouterr().err
    )
    assert sorted(p.name for p in work.iterdir()) == ["01_models_weights_loss.ipynb"]


def test_start_opens_the_start_lesson_not_the_launcher(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    command = bootstrap.lab_command(work, ["--no-browser"])
    # LabApp's default_url is both the URL printed and the page opened (ServerApp's is not).
    assert "--LabApp.default_url=/lab/tree/00_welcome.ipynb" not in command  # no lesson yet
    (work / bootstrap.START_PAGE).write_text("{}")
    command = bootstrap.lab_command(work, ["--no-browser"])
    assert command[:4] == [
        bootstrap.venv_python(),
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={work}",
    ]
    assert command[4:6] == ["--LabApp.default_url=/lab/tree/00_welcome.ipynb", "--no-browser"]
    # Given twice, a traitlets option is an error: the learner's own URL replaces ours.
    own = bootstrap.lab_command(work, ["--LabApp.default_url=/lab/tree/03.ipynb"])
    assert [arg for arg in own if "default_url" in str(arg)] == [
        "--LabApp.default_url=/lab/tree/03.ipynb"
    ]
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 0, raising=False)
    assert bootstrap.lab_command(work, [])[-1] == "--allow-root"
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 1000, raising=False)
    assert "--allow-root" not in bootstrap.lab_command(work, [])


def test_lab_settings_turn_off_the_news_pop_up():
    settings = json.loads(bootstrap.LAB_SETTINGS.read_text())
    notification = settings["@jupyterlab/apputils-extension:notification"]
    # "none" (the default) asks "Would you like to get notified about official Jupyter news?"
    assert notification["fetchNews"] == "false"


def test_lab_settings_are_installed_where_jupyterlab_reads_them(tmp_path, monkeypatch):
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.settings_utils import get_settings

    monkeypatch.setenv("JUPYTERLAB_DIR", str(tmp_path / "lab"))
    target = bootstrap.install_lab_settings()
    assert target == tmp_path / "lab" / "settings" / "overrides.d" / "labkit.json"
    assert target.read_bytes() == bootstrap.LAB_SETTINGS.read_bytes()
    assert bootstrap.install_lab_settings() == target  # again: nothing changes
    # Without JUPYTERLAB_DIR the folder is the one JupyterLab itself computes for the venv.
    monkeypatch.delenv("JUPYTERLAB_DIR")
    assert bootstrap.lab_settings_dir() == bootstrap.VENV / "share" / "jupyter" / "lab" / "settings"
    if Path(sys.prefix).resolve() == bootstrap.VENV.resolve():  # the tests run in .venv
        assert bootstrap.lab_settings_dir() == Path(get_app_dir()) / "settings"
    # JupyterLab's own reader applies it: the schema's default becomes "false".
    result, _ = get_settings(
        str(target.parent.parent),
        str(Path(get_app_dir()) / "schemas"),
        str(tmp_path / "user-settings"),
        schema_name="@jupyterlab/apputils-extension:notification",
    )
    assert result["schema"]["properties"]["fetchNews"]["default"] == "false"


def test_start_serves_jupyterlab_on_the_work_folder(tmp_path):
    port, token = free_port(), "labkit-test-token"
    runtime = tmp_path / "runtime"  # where JupyterLab writes the page a browser would open
    command = [
        sys.executable,
        str(ROOT / "bootstrap.py"),
        "start",
        "--work-dir",
        str(tmp_path / "work"),
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
    ]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)},
    )
    log = ""
    try:
        url = f"http://127.0.0.1:{port}/api/contents?token={token}"
        deadline, listing = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    listing = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        if listing is None:
            server.kill()
            log = server.communicate()[0].decode(errors="replace")
            pytest.fail(f"JupyterLab did not answer within 2 minutes. Its output:\n{log}")
        copied = sorted(p.name for p in (tmp_path / "work").glob("*.ipynb"))
        learner = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        assert copied == learner
        for name in copied:
            assert name in listing  # the server shows the learner's copies
        # The course's settings are served: no "official Jupyter news?" pop-up.
        plugin = "@jupyterlab/apputils-extension:notification"
        settings = f"http://127.0.0.1:{port}/lab/api/settings/{plugin}?token={token}"
        with urllib.request.urlopen(settings, timeout=30) as response:
            schema = json.load(response)["schema"]
        assert schema["properties"]["fetchNews"]["default"] == "false"
        # The page a browser opens (also without --no-browser) is lesson 00, not the Launcher.
        [page] = runtime.glob("jpserver-*-open.html")
        assert f"127.0.0.1:{port}/lab/tree/00_welcome.ipynb?token={token}" in page.read_text()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        log = server.communicate(timeout=30)[0].decode(errors="replace")
    # The URL printed for the learner to open (with --no-browser) is lesson 00's too.
    assert f"http://127.0.0.1:{port}/lab/tree/00_welcome.ipynb?token=" in log, log
