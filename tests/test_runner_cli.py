"""Tests for labkit.runner and the `labkit run` / `labkit release` commands."""

import json

import nbformat
import pytest

from labkit.cli import main
from labkit.runner import inject_parameters, parameter_names, run_notebook

KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def make_notebook(path, *cells, parameters="SMOKE = False\nSEED = 0\nN = None"):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNEL})
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def lesson(tmp_path):
    return make_notebook(
        tmp_path / "lesson.ipynb",
        "import os, labkit\n"
        "N = labkit.choose_size(N, full=100, smoke=5, smoke_mode=SMOKE)\n"
        "labkit.record(n=N, seed=SEED, in_own_folder=float(os.getcwd().startswith('/tmp')))",
    )


def test_parameters_are_read_and_injected_after_the_parameters_cell(lesson):
    nb = nbformat.read(lesson, 4)
    assert parameter_names(nb) == ["SMOKE", "SEED", "N"]
    injected = inject_parameters(nb, {"N": 3, "SMOKE": True})
    assert injected.cells[1].source.splitlines()[1:] == ["N = 3", "SMOKE = True"]
    assert injected.cells[1].metadata["tags"] == ["injected-parameters"]
    assert len(nb.cells) == 2, "the notebook passed in is left as it was"
    with pytest.raises(ValueError, match=r"Unknown parameter\(s\) \['EPOCH'\]"):
        inject_parameters(nb, {"EPOCH": 3})
    # The grader's way: no parameters cell (the learner deleted it), so the cell goes first;
    # and Python whatever language the notebook claims.
    nb.cells[0].metadata["tags"] = []
    nb.metadata["kernelspec"] = {"name": "ir", "language": "R"}
    anywhere = inject_parameters(nb, {"SMOKE": True}, strict=False)
    assert anywhere.cells[0].source.splitlines()[1:] == ["SMOKE = True"]
    with pytest.raises(ValueError, match="no code cell tagged 'parameters'"):
        inject_parameters(nb, {"SMOKE": True})


def test_run_notebook_reports_metrics_time_and_memory(lesson, tmp_path):
    smoke = run_notebook(lesson, smoke=True, threads=1, output_path=tmp_path / "out.ipynb")
    assert smoke.ok and smoke.error is None
    assert smoke.metrics == {"n": 5.0, "seed": 0.0, "in_own_folder": 1.0}
    assert smoke.seconds > 0 and smoke.peak_memory_mb > 50
    executed = nbformat.read(tmp_path / "out.ipynb", 4)
    assert "recorded: n = 5" in executed.cells[2].outputs[0]["text"]
    explicit = run_notebook(lesson, smoke=True, parameters={"N": 11, "SEED": 4})
    assert explicit.metrics["n"] == 11 and explicit.metrics["seed"] == 4


def test_a_failing_cell_is_reported_not_raised(tmp_path):
    path = make_notebook(tmp_path / "broken.ipynb", "x = 1", "raise KeyError('missing column')")
    result = run_notebook(path)
    assert not result.ok
    assert result.error == "cell 2: KeyError: 'missing column'"
    assert "FAILED broken.ipynb" in result.summary()


def test_cli_run_prints_json_and_sets_the_exit_code(lesson, tmp_path, capsys):
    assert main(["run", str(lesson), "--smoke", "--json", "-p", "SEED=3"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["metrics"]["seed"] == 3 and result["parameters"]["SMOKE"]

    broken = make_notebook(tmp_path / "broken.ipynb", "1 / 0")
    assert main(["run", str(lesson), str(broken)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ok ") and lines[1].startswith("FAILED broken.ipynb")


def test_cli_run_rejects_unknown_parameters_and_missing_files(lesson, capsys):
    assert main(["run", str(lesson), "-p", "EPOCHS=3"]) == 2
    assert "Unknown parameter(s) ['EPOCHS']" in capsys.readouterr().err
    assert main(["run", "no/such.ipynb"]) == 2
    assert "No such notebook: no/such.ipynb" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", str(lesson), "-p", "not-a-pair"])


def test_cli_release_writes_then_checks_learner_versions(tmp_path, monkeypatch, capsys):
    from labkit import release

    source = tmp_path / "solutions" / "07_demo.ipynb"
    source.parent.mkdir()
    make_notebook(source, "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    monkeypatch.setattr(release, "lesson_sources", lambda: [source])
    monkeypatch.setattr(release, "NOTEBOOKS", tmp_path)
    assert main(["release", "--check"]) == 1
    assert "out of date: 07_demo.ipynb" in capsys.readouterr().err
    assert main(["release"]) == 0
    assert "written: 07_demo.ipynb" in capsys.readouterr().out
    assert "NotImplementedError" in (tmp_path / "07_demo.ipynb").read_text()
    assert main(["release", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_pinned_runs_compile_into_a_cache_of_their_own():
    # torch.compile's cache keeps no note of the instruction set: an AVX2-pinned run that
    # loaded kernels compiled for AVX-512 crashed with a segmentation fault (PyTorch 2.11).
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    from labkit.runner import REPRODUCIBLE_ENVIRONMENT

    pinned_cache = REPRODUCIBLE_ENVIRONMENT["TORCHINDUCTOR_CACHE_DIR"]
    assert pinned_cache != default_cache_dir() and "pinned" in pinned_cache
