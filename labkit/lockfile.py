"""The exact versions the course installs: what ``python3 bootstrap.py lock`` writes.

``constraints.txt`` pins every package that ``requirements-dev.txt`` needs, directly or
through another package, at the version installed in the course's environment. Only that
closure: a package someone installed by hand (the benchmark-only frameworks, a debugging
tool) stays out, and each line is ``name==version``, never the local file or URL a package
happened to be installed from, so the file works on a fresh machine.

Run with the course's Python: ``.venv/bin/python -m labkit.lockfile requirements-dev.txt``.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

__all__ = ["INSTALLER_TOOLS", "read_requirement_names", "closure", "pinned_lines"]


def read_requirement_names(path: Path) -> list[Requirement]:
    """The requirements of a requirements file, following ``-r other.txt`` includes.

    Comments, blank lines and pip options (``--extra-index-url …``) are skipped.
    """
    found: list[Requirement] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += read_requirement_names(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            found.append(Requirement(line))
    return found


# What ``pip freeze`` leaves out: the installer's own tools, present in every environment.
INSTALLER_TOOLS = {"pip", "setuptools", "wheel"}


def closure(roots: list[Requirement]) -> dict[str, metadata.Distribution]:
    """Every installed distribution the roots need, by canonical name.

    A dependency counts when its environment marker holds here for one of the extras asked
    for (``jsonschema[format-nongpl]`` brings its format checkers); one for another
    platform, or for an extra nobody asked for, is left out, as pip leaves it out.
    """
    needed: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()  # (package, extra) pairs already followed
    todo = list(roots)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = {""} | set(requirement.extras)
        if name in INSTALLER_TOOLS or all((name, extra) in seen for extra in extras):
            continue
        seen |= {(name, extra) for extra in extras}
        try:
            distribution = needed.get(name) or metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(
                f"{requirement.name} is required but not installed: run "
                f"`python3 bootstrap.py test` (which installs everything) before locking."
            ) from None
        needed[name] = distribution
        for text in distribution.requires or []:
            dependency = Requirement(text)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras):
                todo.append(dependency)
    return needed


def pinned_lines(distributions: dict[str, metadata.Distribution]) -> list[str]:
    """``Name==version`` per distribution, sorted by name as ``pip freeze`` sorts them."""
    pins = [(d.metadata["Name"], d.version) for d in distributions.values()]
    return [f"{name}=={version}" for name, version in sorted(pins, key=lambda p: p[0].lower())]


def main(argv: list[str]) -> int:
    """Print the pinned closure of the requirements files named in ``argv``."""
    roots = [req for path in argv for req in read_requirement_names(Path(path))]
    for line in pinned_lines(closure(roots)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
