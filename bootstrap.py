"""Set up the course's environment, open it, and run its checks, with nothing but Python 3.11+.

    python3 bootstrap.py start        # set up, copy the lessons to work/, open JupyterLab
    python3 bootstrap.py test         # set up, lint, type check, run every test (what CI runs)
    python3 bootstrap.py reset 01     # restore lesson 01 in work/ (your copy is kept in a backup)
    python3 bootstrap.py lock         # after editing requirements*.txt: rewrite constraints.txt

Standard library only, so it runs on a fresh machine before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
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
LEARNER_NOTEBOOKS = ROOT / "notebooks"
WORK = ROOT / "work"  # the learner's own copies: git-ignored, never overwritten
START_PAGE = "00_welcome.ipynb"


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
    """Lint, type check, then the whole test suite. Returns the first failing exit code (or 0)."""
    python = venv_python()
    for step in (
        (python, "-m", "ruff", "check", "."),
        (python, "-m", "ruff", "format", "--check", "."),
    ):
        if (code := run(*step)) != 0:
            print("Lint failed: run 'ruff check --fix .' and 'ruff format .' in the venv.")
            return code
    # The files and settings are in pyproject.toml [tool.mypy].
    if (code := run(python, "-m", "mypy")) != 0:
        print("Type check failed: fix the errors mypy lists above ('python -m mypy' in the venv).")
        return code
    # Two workers (this suite's machine has 2 cores); each lesson kernel then uses 1 thread.
    code = run(python, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2")
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
    timings["lint + type check + tests"] = time.perf_counter() - start
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    print(f"Phase times: {phases}")
    return code


def copy_lessons(work: Path) -> None:
    """Copy each learner version into ``work`` unless a copy is already there."""
    work.mkdir(parents=True, exist_ok=True)
    for lesson in sorted(LEARNER_NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        target = work / lesson.name
        if not target.exists():  # never overwrite a learner's work
            shutil.copy2(lesson, target)
            print(f"Copied {lesson.name} to {work}")


def command_start(args: argparse.Namespace) -> int:
    ensure_environment()
    work = Path(args.work_dir).resolve()
    copy_lessons(work)
    lab = [venv_python(), "-m", "jupyterlab", f"--ServerApp.root_dir={work}", *args.lab_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lab.append("--allow-root")  # containers and CI machines often run as root
    if (work / START_PAGE).exists():
        lab.append(str(work / START_PAGE))  # JupyterLab opens this file first
    print("Starting JupyterLab: press Ctrl-C twice in this terminal to stop it.")
    return run(*lab)


def command_reset(args: argparse.Namespace) -> int:
    """Put a fresh copy of one lesson in work/, keeping the learner's copy as a backup."""
    work = Path(args.work_dir).resolve()
    matches = sorted(LEARNER_NOTEBOOKS.glob(f"{args.lesson}*.ipynb"))
    if len(matches) != 1:
        names = [p.name for p in sorted(LEARNER_NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
        print(f"No single lesson matches {args.lesson!r}. Lessons: {names}")
        return 2
    lesson, target = matches[0], work / matches[0].name
    if target.exists():
        backup = work / ".backup" / f"{target.stem}-{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, backup)
        print(f"Your previous copy is saved as {backup}")
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy2(lesson, target)
    print(f"Restored a fresh {lesson.name} in {work}")
    return 0


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
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser(
        "start",
        help="set up and open the course in JupyterLab",
        description="Other options go to JupyterLab, e.g. --no-browser --port=8899",
    )
    start.add_argument("--work-dir", default=WORK, help=f"your copies of the lessons ({WORK})")
    sub.add_parser("test", help="set up, lint, type check and run the whole test suite")
    reset = sub.add_parser("reset", help="restore one lesson in the work folder")
    reset.add_argument("lesson", help="the lesson number, e.g. 01")
    reset.add_argument("--work-dir", default=WORK, help=f"your copies of the lessons ({WORK})")
    sub.add_parser("lock", help="rewrite constraints.txt from the installed packages")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = get_args_parser()
    args, lab_args = parser.parse_known_args(argv)
    if lab_args and args.command != "start":
        parser.error(f"unrecognized arguments: {' '.join(lab_args)}")
    args.lab_args = lab_args  # options for JupyterLab, e.g. --no-browser --port=8899
    check_python()
    if args.command == "start":
        return command_start(args)
    if args.command == "reset":
        return command_reset(args)
    return command_test() if args.command == "test" else command_lock()


if __name__ == "__main__":
    sys.exit(main())
