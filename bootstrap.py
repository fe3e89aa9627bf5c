"""Set up the course's environment and run its checks, with nothing but Python 3.11+.

    python3 bootstrap.py test     # create .venv, install pinned packages, lint, run every test
    python3 bootstrap.py lock     # after editing requirements*.txt: rewrite constraints.txt

Standard library only, so it runs on a fresh machine before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".labkit-installed"  # hash of the requirement files last installed
REQUIREMENT_FILES = [
    "requirements.txt",
    "requirements-dev.txt",
    "constraints.txt",
    "pyproject.toml",
]
MINIMUM_PYTHON = (3, 11)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*command: str | Path) -> int:
    print("$", " ".join(str(part) for part in command), flush=True)
    return subprocess.call([str(part) for part in command], cwd=ROOT)


def check_python() -> None:
    if sys.version_info < MINIMUM_PYTHON:
        sys.exit(
            f"This course needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer; this is "
            f"Python {sys.version.split()[0]} ({sys.executable}). Install a newer Python and run "
            "this script with it."
        )


def requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in REQUIREMENT_FILES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the pinned packages, unless that is already done."""
    if not venv_python().exists():
        try:
            # Debian ships these separately, in the python3-venv package.
            import ensurepip  # noqa: F401
            import venv  # noqa: F401
        except ImportError:
            sys.exit(
                "Python's 'venv' module is missing. On Debian or Ubuntu install it with "
                f"'sudo apt install python3-venv' (or python{sys.version_info.major}."
                f"{sys.version_info.minor}-venv), then run this again."
            )
        if run(sys.executable, "-m", "venv", VENV) != 0:
            sys.exit(f"Could not create the virtual environment in {VENV}.")
    wanted = requirements_hash()
    if STAMP.exists() and STAMP.read_text() == wanted:
        print("Packages are up to date (.venv matches the requirement files).")
        return
    pip = [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run(*pip, "-r", "requirements-dev.txt", "-c", "constraints.txt") != 0:
        sys.exit("Installing the packages failed: see pip's message above.")
    if run(*pip, "--no-deps", "-e", ".") != 0:
        sys.exit("Installing labkit itself failed: see pip's message above.")
    STAMP.write_text(wanted)


def run_checks() -> int:
    """Lint, then the whole test suite. Returns the first failing exit code (or 0)."""
    python = venv_python()
    for step in (
        (python, "-m", "ruff", "check", "."),
        (python, "-m", "ruff", "format", "--check", "."),
    ):
        if (code := run(*step)) != 0:
            print("Lint failed: run 'ruff check --fix .' and 'ruff format .' in the venv.")
            return code
    code = run(python, "-m", "pytest", "-p", "no:cacheprovider")
    if code == 5:  # pytest's "no tests were collected": never a silent pass
        print("pytest collected no tests: that is a failure, not a pass.")
    return code


def command_test() -> int:
    timings = {}
    start = time.perf_counter()
    ensure_environment()
    timings["setup"] = time.perf_counter() - start
    start = time.perf_counter()
    code = run_checks()
    timings["lint + tests"] = time.perf_counter() - start
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    print(f"Phase times: {phases}")
    return code


def command_lock() -> int:
    ensure_environment()
    frozen = subprocess.run(
        [str(venv_python()), "-m", "pip", "freeze", "--exclude-editable"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout  # fmt: skip
    header = (
        "# Exact versions of every package, so CI and learners install the same set.\n"
        "# Regenerate after changing requirements*.txt:  python bootstrap.py lock\n"
    )
    (ROOT / "constraints.txt").write_text(header + frozen)
    print("constraints.txt rewritten.")
    return 0


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["test", "lock"], help="what to do")
    return parser


def main(args: argparse.Namespace) -> int:
    check_python()
    return {"test": command_test, "lock": command_lock}[args.command]()


if __name__ == "__main__":
    sys.exit(main(get_args_parser().parse_args()))
