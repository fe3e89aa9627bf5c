"""constraints.txt is exactly what requirements-dev.txt needs, at the installed versions."""

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from labkit.lockfile import closure, pinned_lines, read_requirement_names
from labkit.paths import COURSE_ROOT


def test_constraints_pin_the_closure_of_the_dev_requirements_and_nothing_else():
    """In CI the environment is installed from constraints.txt, so the closure computed from
    it must give the file back: a package missing from it, or pinned but never needed
    (installed by hand once), fails here. Every line is name==version, never a file or URL."""
    pins = read_requirement_names(COURSE_ROOT / "requirements-dev.txt")
    expected = pinned_lines(closure(pins))
    lines = (COURSE_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    written = [line for line in lines if line and not line.startswith("#")]
    assert written == expected
    assert all("==" in line and "@" not in line and "/" not in line for line in written)


def test_includes_are_followed_and_comments_and_options_skipped(tmp_path):
    (tmp_path / "base.txt").write_text("# the base\nnumpy  # arrays\n\n", encoding="utf-8")
    (tmp_path / "dev.txt").write_text(
        "--extra-index-url https://example.org/simple\n-r base.txt\npytest>=7\n",
        encoding="utf-8",
    )
    names = [r.name for r in read_requirement_names(tmp_path / "dev.txt")]
    assert names == ["numpy", "pytest"]


def test_dependencies_and_requested_extras_are_followed_others_not():
    needed = closure([Requirement("jupyter-events")])  # asks for jsonschema[format-nongpl]
    assert {"jsonschema", "webcolors", "uri-template"} <= set(needed)  # the extra's checkers
    plain = closure([Requirement("jsonschema")])
    assert "webcolors" not in plain and "pip" not in plain


def test_a_requirement_that_is_not_installed_says_how_to_fix_it():
    with pytest.raises(SystemExit, match="not installed: run `python3 bootstrap.py test`"):
        closure([Requirement("no-such-package-for-the-course")])


def test_the_lock_command_uses_this_module():
    bootstrap = Path(COURSE_ROOT / "bootstrap.py").read_text(encoding="utf-8")
    assert '"-m", "labkit.lockfile", "requirements-dev.txt"' in bootstrap
    assert 'pip", "freeze' not in bootstrap
