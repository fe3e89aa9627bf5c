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
from urllib.parse import quote

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
# The course's JupyterLab settings (no news pop-up...), in JupyterLab's overrides.json format.
# binder/postBuild installs the same file into Binder's image.
LAB_SETTINGS = ROOT / "binder" / "overrides.json"


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
    code = run(python, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--durations=40")
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


def lab_settings_dir() -> Path:
    """The folder where the venv's JupyterLab reads its settings overrides.

    JupyterLab's ``app_settings_dir``: ``$JUPYTERLAB_DIR/settings`` if that is set, else
    ``share/jupyter/lab/settings`` in the venv (what ``jupyterlab.commands.get_app_dir`` returns
    for a venv; asking it would cost a second of imports at each start).
    """
    app_dir = os.environ.get("JUPYTERLAB_DIR")
    return (Path(app_dir) if app_dir else VENV / "share" / "jupyter" / "lab") / "settings"


def install_lab_settings() -> Path:
    """Put the course's JupyterLab settings (LAB_SETTINGS) where the venv's JupyterLab reads them.

    They go to ``overrides.d/labkit.json``, which JupyterLab reads before ``overrides.json``:
    a learner's own overrides.json is left alone and still wins.
    """
    target = lab_settings_dir() / "overrides.d" / "labkit.json"
    wanted = LAB_SETTINGS.read_bytes()
    if not target.is_file() or target.read_bytes() != wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(wanted)
    return target


def lab_command(work: Path, lab_args: list[str]) -> list[str | Path]:
    """The command that serves ``work`` in JupyterLab, opening the start lesson if it is there."""
    lab: list[str | Path] = [venv_python(), "-m", "jupyterlab", f"--ServerApp.root_dir={work}"]
    # The URL JupyterLab prints (also with --no-browser) and the page it opens: the start
    # lesson, not the Launcher. It must be LabApp's default_url: JupyterLab replaces
    # ServerApp.default_url with its own ("/lab"). Given twice, the option is an error.
    own_url = any(arg.startswith("--LabApp.default_url") for arg in lab_args)
    if (work / START_PAGE).exists() and not own_url:
        lab.append(f"--LabApp.default_url=/lab/tree/{quote(START_PAGE)}")
    lab += lab_args
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lab.append("--allow-root")  # containers and CI machines often run as root
    return lab


def command_start(args: argparse.Namespace) -> int:
    ensure_environment()
    install_lab_settings()
    work = Path(args.work_dir).resolve()
    copy_lessons(work)
    print("Starting JupyterLab: press Ctrl-C twice in this terminal to stop it.")
    return run(*lab_command(work, args.lab_args))


def find_lesson(text: str) -> Path:
    """The learner version of the lesson that ``text`` names, else ValueError saying why.

    ``text`` is its number (``1``, ``01``), its file name (``01_models_weights_loss`` with or
    without ``.ipynb``, also as a path such as ``work/01_models_weights_loss.ipynb``), its
    title (``models_weights_loss``) or the start of either; case does not matter.
    """
    lessons = sorted(LEARNER_NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    listing = ", ".join(lesson.stem for lesson in lessons)
    name = Path(text.strip()).name.lower().removesuffix(".ipynb")
    if name.isascii() and name.isdigit():
        matches = [lesson for lesson in lessons if int(lesson.name[:2]) == int(name)]
    else:
        names = {lesson: (lesson.stem.lower(), lesson.stem[3:].lower()) for lesson in lessons}
        matches = [lesson for lesson in lessons if name in names[lesson]] or [
            lesson
            for lesson in lessons
            if name and any(full.startswith(name) for full in names[lesson])
        ]
    if not matches:
        raise ValueError(f"No lesson matches {text!r}. The lessons: {listing}.")
    if len(matches) > 1:
        could_be = ", ".join(lesson.stem for lesson in matches)
        raise ValueError(
            f"{text!r} could be any of {could_be}: give the lesson's number, e.g. "
            f"{matches[0].name[:2]}."
        )
    return matches[0]


def command_reset(args: argparse.Namespace) -> int:
    """Put a fresh copy of one lesson in work/, keeping the learner's copy as a backup."""
    work = Path(args.work_dir).resolve()
    try:
        lesson = find_lesson(args.lesson)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    target = work / lesson.name
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
    # The installed versions of what requirements-dev.txt needs, and nothing else (not what
    # was installed by hand, nor the file a wheel came from): labkit/lockfile.py.
    frozen = subprocess.run(
        [str(venv_python()), "-m", "labkit.lockfile", "requirements-dev.txt"],
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
    reset.add_argument(
        "lesson", help="the lesson: its number (1 or 01) or its file name (01_models_weights_loss)"
    )
    reset.add_argument("--work-dir", default=WORK, help=f"your copies of the lessons ({WORK})")
    sub.add_parser("lock", help="rewrite constraints.txt: what requirements-dev.txt needs, pinned")
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
