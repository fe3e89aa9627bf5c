"""Every cross-reference in labkit's docstrings names something that exists.

A reference such as :func:`~labkit.grading.command.sandbox_command` or :meth:`report`
tells a reader where to look next; one that names a function that moved is a wrong
turn. Names are resolved as Sphinx would: a dotted path from the top, or a name in the
module that writes it; a bare method or attribute name, in a class of that module.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import labkit

ROLE = re.compile(r":(func|mod|class|meth|data|attr|exc):`~?([A-Za-z_][\w.]*)`")
PACKAGE = Path(labkit.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _lookup(dotted: str) -> bool:
    """True if ``dotted`` is a module, or an attribute path inside one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def _resolves(role: str, dotted: str, module_name: str) -> bool:
    if _lookup(dotted) or _lookup(f"{module_name}.{dotted}"):
        return True
    if role in ("meth", "attr") and "." not in dotted:  # a member of a class written here
        module = importlib.import_module(module_name)
        classes = [
            c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module_name
        ]
        return any(
            hasattr(c, dotted) or dotted in getattr(c, "__annotations__", {}) for c in classes
        )
    return False


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_every_reference_resolves(path: Path) -> None:
    module_name = _module_name(path)
    text = path.read_text()
    unresolved = [
        f"line {text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for m in ROLE.finditer(text)
        if not _resolves(m.group(1), m.group(2), module_name)
    ]
    assert not unresolved, f"{path.name} names what does not exist: {unresolved}"


def test_references_are_found_at_all() -> None:
    """The pattern finds the references the package holds (194 today), and a wrong one fails."""
    found = sum(len(ROLE.findall(path.read_text())) for path in MODULES)
    assert found > 150
    assert not _resolves("func", "labkit.grading.limits.sandbox_command", "labkit.grading")
    assert _resolves("func", "labkit.grading.command.sandbox_command", "labkit.grading")
