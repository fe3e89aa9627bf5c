"""Tests for binder/: the mybinder.org configuration and the README's launch badge.

Binder builds the image with repo2docker from ``binder/`` alone (the root's requirement
files are ignored once that folder exists), so these tests keep the two in step: the same
packages at the same versions, PyTorch's CPU-only build, the Python that CI uses, and a
badge that opens lesson 00 of this repository. The image itself is never built here (that
needs Docker); ``repo2docker --no-build`` only shows the Dockerfile it would build.
"""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_TRIO = {"torch", "torchvision", "torchaudio"}


def read_requirements(path: Path) -> tuple[dict[str, Requirement], list[str]]:
    """A requirements file's packages (by canonical name) and its option lines (``--...``)."""
    packages, options = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            options.append(line)
            continue
        requirement = Requirement(line)
        packages[canonicalize_name(requirement.name)] = requirement
    return packages, options


def pinned_version(requirement: Requirement) -> Version:
    """The version of an exact ``name==version`` pin; any other specifier fails the test."""
    [specifier] = requirement.specifier  # exactly one specifier...
    assert specifier.operator == "==", f"{requirement} is not pinned with '=='"  # ...an exact pin
    return Version(specifier.version)


def test_binder_requirements_match_requirements_and_constraints():
    course, _ = read_requirements(ROOT / "requirements.txt")
    constraints, _ = read_requirements(ROOT / "constraints.txt")
    binder, options = read_requirements(BINDER / "requirements.txt")

    # The learner's packages, no more (the dev tools of requirements-dev.txt stay out) and no less.
    assert sorted(binder) == sorted(course)
    for name, requirement in binder.items():
        version = pinned_version(requirement)
        # "2.11.0+cpu" is the CPU-only build of 2.11.0: compare without the local label.
        assert version.public == str(pinned_version(constraints[name])), (
            f"binder/requirements.txt pins {requirement}, constraints.txt {constraints[name]}: "
            "Binder must run the versions CI tests"
        )
        if name in TORCH_TRIO:
            assert version.local == "cpu", f"{requirement}: Binder has no GPU, use the +cpu build"
        else:
            assert version.local is None, f"{requirement}: only PyTorch needs a local label"
    assert options == [f"--extra-index-url {CPU_INDEX}"], "the +cpu wheels are on this index only"


def test_binder_python_is_the_oldest_python_the_course_supports():
    # The oldest supported Python is the one CI and the pinned versions are checked on;
    # maintainers on a newer Python still pass this test.
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-\d+\.\d+", runtime), f"runtime.txt: {runtime!r}"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    oldest = re.fullmatch(r">=\s*(\d+\.\d+)", pyproject["project"]["requires-python"]).group(1)
    assert runtime == f"python-{oldest}", (
        f"binder/runtime.txt asks for {runtime}; the course supports Python {oldest} and newer"
    )


def test_post_build_is_executable_and_stops_at_the_first_error():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable (chmod +x)"
    commands = [
        line.strip()
        for line in post_build.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")  # the shebang is a comment too
    ]
    # Without `set -e` repo2docker ignores a failing step and publishes a broken image.
    assert commands[0] == "set -e"


def test_readme_badge_opens_lesson_00_of_this_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    urls = re.findall(r"\(\s*(https://mybinder\.org/v2/[^)\s]+)\s*\)", readme)
    assert len(urls) == 1, f"expected one Binder launch link in README.md, found {urls}"
    url = urlsplit(urls[0])
    kind, org, repo, branch = url.path.split("/")[2:]  # /v2/gh/ORG/REPO/BRANCH
    assert (kind, branch) == ("gh", "main")

    # The badge sits right under the title, the first line a reader sees after it.
    lines = [line for line in readme.splitlines() if line.strip()]
    assert lines[0].startswith("# ") and urls[0] in lines[1]

    [urlpath] = parse_qs(url.query)["urlpath"]
    assert urlpath.startswith("lab/tree/notebooks/"), urlpath  # JupyterLab, a lesson file
    name = urlpath.removeprefix("lab/tree/notebooks/")
    lesson_00 = sorted((ROOT / "notebooks").glob("00_*.ipynb"))
    assert [path.name for path in lesson_00] == [name], "the badge must open lesson 00"

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    repository = pyproject["project"]["urls"]["Repository"]
    assert f"https://github.com/{org}/{repo}" == repository.removesuffix("/")
    # One place in the README to change if the repository moves: the badge.
    assert readme.count(f"{org}/{repo}") == 1


def test_repo2docker_picks_binder_python_requirements_and_post_build(tmp_path):
    repo2docker = Path(sys.executable).parent / "repo2docker"
    if not repo2docker.exists():
        pytest.skip(f"repo2docker is not installed next to {sys.executable}")
    environment = {
        **os.environ,
        # --no-build never starts a container engine; should that change, fail fast here
        # rather than reach a real Docker daemon.
        "DOCKER_HOST": f"unix://{tmp_path / 'no-docker.sock'}",
        # Nor does it fetch anything for a local folder: any HTTP(S) attempt goes to a
        # loopback port where nothing listens, and fails.
        **{name: "http://127.0.0.1:9" for name in ("http_proxy", "https_proxy", "all_proxy")},
        **{name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")},
    }
    environment.pop("no_proxy", None)
    environment.pop("NO_PROXY", None)
    result = subprocess.run(
        # --no-build prints the Dockerfile instead of building; it also turns off running
        # and pushing the image, so no --no-run is needed. mybinder.org's user and id make
        # the rendering the one Binder would build, whoever runs the tests (even root).
        [repo2docker, "--no-build", "--debug", "--user-id", "1000", "--user-name", "jovyan"]
        + [str(ROOT)],
        cwd=tmp_path,  # repo2docker reads a repo2docker_config.py from its working folder
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    python = runtime.removeprefix("python-")
    assert f"conda environment for python={python}" in output  # runtime.txt was honoured
    assert "Python version unspecified" not in output
    dockerfile = result.stdout
    assert dockerfile.lstrip().startswith("FROM "), dockerfile[:500]
    # binder/requirements.txt, not the root one, goes into the kernel's environment...
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert '-r "requirements.txt"' not in dockerfile
    # ...and binder/postBuild runs after the repository is copied in.
    assert "RUN ./binder/postBuild" in dockerfile


def test_post_build_installs_the_settings_bootstrap_installs(tmp_path):
    # Binder's JupyterLab gets the same settings file as `bootstrap.py start` (no news pop-up).
    settings_lines = [
        line
        for line in (BINDER / "postBuild").read_text(encoding="utf-8").splitlines()
        if "settings" in line and not line.lstrip().startswith("#")
    ]
    assert any("binder/overrides.json" in line for line in settings_lines), settings_lines
    environment = {
        **os.environ,
        "JUPYTERLAB_DIR": str(tmp_path / "lab"),  # where this JupyterLab reads its settings
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    script = "set -e\n" + "\n".join(settings_lines)
    subprocess.run(["bash", "-c", script], cwd=ROOT, env=environment, check=True, timeout=60)
    installed = tmp_path / "lab" / "settings" / "overrides.d" / "labkit.json"
    assert installed.read_bytes() == (BINDER / "overrides.json").read_bytes()
