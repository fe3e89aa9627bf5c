"""The ``labkit`` command (also ``python -m labkit``).

    labkit run [NOTEBOOK ...] [--smoke] [--json] [-p NAME=VALUE ...]
    labkit release [--check]
    labkit results [--run [NN ...]]
    labkit data list|info|fetch|verify [NAME] [--root DIR]
    labkit grade SUBMISSION... --out DIR [--lesson NN] [--secret-file FILE] [--roster CSV]
                [--shard I/N]
    labkit grade-merge SHARD_OUT... --out DIR

Only this module parses command-line arguments; each subcommand calls one function that the
tests call directly.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

__all__ = ["main", "get_args_parser", "COMMAND_GROUPS"]

# `labkit --help` lists the commands in these groups, the learner's first.
COMMAND_GROUPS = {
    "For learners": ("data",),
    "For instructors and lesson authors": (
        "run",
        "release",
        "results",
        "kit",
        "grade",
        "grade-merge",
    ),
}


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

    run = args.run is not None  # --run alone: every lesson; --run 03 04: those only
    results = run_default_results(only=args.run or None) if run else load_results()
    update_readme(results)
    print("README lesson table updated.")
    return 0 if all(lesson["ok"] for lesson in results["lessons"]) else 1


def command_data(args: argparse.Namespace) -> int:
    """List, describe, download or verify datasets; 1 if a download or check failed."""
    from labkit import datasets

    if args.action == "list":
        _print_table([datasets.summary(name, root=args.root) for name in datasets.names()])
        return 0
    if args.name is None:
        print(f"labkit data {args.action} needs a dataset name, e.g. mnist.", file=sys.stderr)
        return 2
    try:
        kind = datasets.kind(args.name)
    except ValueError as error:  # unknown name: the message lists the known ones
        print(error, file=sys.stderr)
        return 2
    if args.action == "info":
        print(datasets.info(args.name))
        return 0
    if kind != "download":
        print(f"{args.name} is already available offline ({kind}): nothing to {args.action}.")
        return 0
    return _data_fetch(args) if args.action == "fetch" else _data_verify(args)


def _print_table(rows: list[dict[str, str]]) -> None:
    """Print rows of equal keys as aligned columns under a header."""
    keys = list(rows[0])
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in keys}
    for row in [dict(zip(keys, keys, strict=True)), *rows]:
        print("  ".join(row[key].ljust(widths[key]) for key in keys).rstrip())


def _data_fetch(args: argparse.Namespace) -> int:
    """Download a remote dataset's files into the cache (or find them there, verified)."""
    from labkit.datasets import DownloadError, remote

    try:
        paths = remote.fetch_files(args.name, root=args.root)
    except DownloadError as error:
        print(error, file=sys.stderr)
        return 1
    folder = next(iter(paths.values())).parent
    print(f"{args.name}: {len(paths)} file(s) present and verified in {folder}")
    return 0


def _data_verify(args: argparse.Namespace) -> int:
    """Print each cached file's checksum status; 1 if any is missing or corrupt."""
    from labkit.datasets import remote

    status = remote.cache_status(args.name, root=args.root)
    for filename, state in status.items():
        print(f"{args.name}: {filename}: {state}")
    if set(status.values()) != {"ok"}:
        print(f"To fix this: labkit data fetch {args.name}", file=sys.stderr)
        return 1
    return 0


def command_kit(args: argparse.Namespace) -> int:
    """Write the student kit (learner notebooks, labkit without answers) into a new folder."""
    from labkit.kit import build_kit

    try:
        out = build_kit(args.out)
    except (FileExistsError, RuntimeError) as error:
        print(f"labkit kit: {error}", file=sys.stderr)
        return 2
    print(f"Student kit written to {out}: hand out this folder (no solutions are in it).")
    return 0


def command_grade(args: argparse.Namespace) -> int:
    """Grade submissions into --out; 2 for a setup problem (no secret, unknown lesson...)."""
    from labkit.grading.course import grade_course
    from labkit.grading.shards import parse_shard

    try:
        import labkit.lessons  # noqa: F401  (the graded checks)
    except ModuleNotFoundError:
        print(
            "labkit grade: this copy of labkit is a student kit, which holds no graded "
            "checks. Grade from the instructor's full copy of the course.",
            file=sys.stderr,
        )
        return 2
    try:
        shard = None if args.shard is None else parse_shard(args.shard)
        grade_course(
            args.submissions,
            out=args.out,
            lesson=args.lesson,
            secret_file=args.secret_file,
            roster=args.roster,
            workers=args.workers,
            cell_timeout=args.cell_timeout,
            shard=shard,
        )
    except (ValueError, OSError) as error:
        print(f"labkit grade: {error}", file=sys.stderr)
        return 2
    return 0


def command_grade_merge(args: argparse.Namespace) -> int:
    """Merge the shards' parts into one gradebook; 2 if they do not make one class."""
    from labkit.grading.course import merge_shards

    try:
        merge_shards(args.parts, out=args.out)
    except (ValueError, OSError) as error:
        print(f"labkit grade-merge: {error}", file=sys.stderr)
        return 2
    return 0


def _grouped_commands(summaries: dict[str, str]) -> str:
    """The commands with their one-line summaries, under the headings of COMMAND_GROUPS."""
    grouped = [name for names in COMMAND_GROUPS.values() for name in names]
    if sorted(grouped) != sorted(summaries):  # each command in exactly one group
        raise RuntimeError(f"COMMAND_GROUPS lists {grouped}; the commands are {list(summaries)}")
    width = max(map(len, summaries)) + 2
    sections = [
        "\n".join([f"{title}:", *(f"  {name:<{width}}{summaries[name]}" for name in names)])
        for title, names in COMMAND_GROUPS.items()
    ]
    return "\n\n".join(sections)


def get_args_parser() -> argparse.ArgumentParser:
    from labkit.datasets.download import data_dir

    parser = argparse.ArgumentParser(
        prog="labkit",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the command list's layout
    )
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="COMMAND",
        help="one of the commands above; `labkit COMMAND --help` shows its options",
    )
    summaries: dict[str, str] = {}

    def add_command(name: str, summary: str) -> argparse.ArgumentParser:
        # No help= here: argparse would list every command in one flat list of its own.
        summaries[name] = summary
        return sub.add_parser(name, description=f"{summary[0].upper()}{summary[1:]}.")

    run = add_command("run", "execute lesson notebooks headless and report")
    run.add_argument("notebooks", nargs="*", help="notebooks to run (default: every lesson source)")
    run.add_argument("--smoke", action="store_true", help="set SMOKE=True: tiny, fast runs")
    run.add_argument("--json", action="store_true", help="print the results as JSON")
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        type=_parse_parameter,
        metavar="NAME=VALUE",
        help="set a parameter of the notebooks' parameters cell (repeatable)",
    )
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell (default: 600)")
    run.set_defaults(handler=command_run)

    release = add_command("release", "write notebooks/NN_*.ipynb from the sources")
    release.add_argument("--check", action="store_true", help="only check they are up to date")
    release.set_defaults(handler=command_release)

    results = add_command("results", "default-mode results file and README table")
    results.add_argument(
        "--run",
        nargs="*",
        metavar="NN",
        help="run the lessons first (minutes): all, or only those numbered (e.g. --run 03 04)",
    )
    results.set_defaults(handler=command_results)

    data = add_command("data", "list, describe, download or verify datasets")
    data.add_argument("action", choices=["list", "info", "fetch", "verify"])
    data.add_argument("name", nargs="?", help="dataset name (see `labkit data list`)")
    default_root = str(data_dir()).replace("%", "%%")  # argparse %-formats help texts
    data.add_argument(
        "--root",
        help=(
            f"cache folder for downloads (default: {default_root}, which is $LABKIT_DATA_DIR "
            "if set, else $XDG_CACHE_HOME/labkit, else ~/.cache/labkit)"
        ),
    )
    data.set_defaults(handler=command_data)

    kit = add_command("kit", "write the student kit: the course without any answer")
    kit.add_argument("out", help="a new folder for the kit")
    kit.set_defaults(handler=command_kit)

    grade = add_command("grade", "grade submitted notebooks in isolated kernels")
    grade.add_argument("submissions", nargs="+", help="submitted .ipynb files or folders of them")
    grade.add_argument("--out", required=True, help="folder for feedback, gradebook.csv, ...")
    grade.add_argument("--lesson", help="lesson number, e.g. 01 (default: from the notebooks)")
    grade.add_argument(
        "--secret-file",
        help="file holding the course secret (mode 600); default: $LABKIT_COURSE_SECRET",
    )
    grade.add_argument("--roster", help="CSV with columns file,student (default: file names)")
    grade.add_argument("--workers", type=int, help="notebooks graded at once (default: cores)")
    grade.add_argument(
        "--cell-timeout",
        type=float,
        default=60.0,
        help="seconds per cell and per graded call (default: 60)",
    )
    grade.add_argument(
        "--shard",
        metavar="I/N",
        help=(
            "grade only the I-th of N shards and write a part file "
            "(merge the parts with grade-merge)"
        ),
    )
    grade.set_defaults(handler=command_grade)

    merge = add_command("grade-merge", "merge the part files of graded shards")
    merge.add_argument("parts", nargs="+", help="the --out folders of every shard")
    merge.add_argument("--out", required=True, help="folder for feedback, gradebook.csv, ...")
    merge.set_defaults(handler=command_grade_merge)

    parser.description = f"The course's command line.\n\n{_grouped_commands(summaries)}"
    return parser


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
