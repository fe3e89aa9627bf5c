"""The ``labkit`` command (also ``python -m labkit``).

    labkit run [NOTEBOOK ...] [--smoke] [--json] [-p NAME=VALUE ...]
    labkit release [--check]
    labkit results [--run]

Only this module parses command-line arguments; each subcommand calls one function that the
tests call directly.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

__all__ = ["main", "get_args_parser"]


def _parse_parameter(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` → (name, value); VALUE is a Python literal, else kept as a string."""
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, e.g. EPOCHS=5. Received: {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # e.g. DATASET=mnist


def command_run(args: argparse.Namespace) -> int:
    """Run notebooks headless; print one line (or JSON) per notebook; 1 if any failed."""
    from labkit.paths import lesson_sources
    from labkit.runner import run_notebook

    paths = [Path(p) for p in args.notebooks] or lesson_sources()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"No such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    parameters = dict(args.parameter or [])
    results = []
    for path in paths:
        try:
            result = run_notebook(
                path, parameters=parameters, smoke=args.smoke, timeout=args.timeout
            )
        except ValueError as error:  # unknown parameter names, no parameters cell
            print(f"{path}: {error}", file=sys.stderr)
            return 2
        results.append(result)
        if not args.json:
            print(result.summary(), flush=True)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    return 0 if all(r.ok for r in results) else 1


def command_release(args: argparse.Namespace) -> int:
    """Write the learner versions from the sources (or check they are up to date)."""
    from labkit.release import release_all

    stale = release_all(check=args.check)
    if args.check and stale:
        names = ", ".join(p.name for p in stale)
        print(f"Learner versions out of date: {names}. Run 'labkit release'.", file=sys.stderr)
        return 1
    verb = "are up to date" if not stale else f"written: {', '.join(p.name for p in stale)}"
    print(f"Learner versions {verb}.")
    return 0


def command_results(args: argparse.Namespace) -> int:
    """Run every lesson in default mode (with --run), then regenerate the README table."""
    from labkit.results import load_results, run_default_results, update_readme

    results = run_default_results() if args.run else load_results()
    update_readme(results)
    print("README lesson table updated.")
    return 0 if all(lesson["ok"] for lesson in results["lessons"]) else 1


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labkit", description="The course's command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute lesson notebooks headless and report")
    run.add_argument("notebooks", nargs="*", help="notebooks to run (default: every lesson source)")
    run.add_argument("--smoke", action="store_true", help="set SMOKE=True: tiny, fast runs")
    run.add_argument("--json", action="store_true", help="print the results as JSON")
    run.add_argument(
        "-p", "--parameter", action="append", type=_parse_parameter, metavar="NAME=VALUE",
        help="set a parameter of the notebooks' parameters cell (repeatable)",
    )  # fmt: skip
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell (default: 600)")
    run.set_defaults(handler=command_run)

    release = sub.add_parser("release", help="write notebooks/NN_*.ipynb from the sources")
    release.add_argument("--check", action="store_true", help="only check they are up to date")
    release.set_defaults(handler=command_release)

    results = sub.add_parser("results", help="default-mode results file and README table")
    results.add_argument("--run", action="store_true", help="run every lesson first (minutes)")
    results.set_defaults(handler=command_results)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
