"""Tests for bootstrap.py: the start, reset and set-up commands a newcomer runs."""

import importlib.util
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


def test_start_serves_jupyterlab_on_the_work_folder(tmp_path):
    port, token = free_port(), "labkit-test-token"
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
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
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
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
