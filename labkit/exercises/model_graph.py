"""A trained model as plain data: a graph of allowed tensor operations, and its tensors.

A model exercise is judged on what the grader itself can see. The learner's kernel
exports the model with :func:`torch.export.export` and :func:`save_model` writes the
graph as JSON and every tensor it holds (parameters, buffers, constants) as NumPy arrays
in one ``.npz`` file: no pickle anywhere. :func:`load_model` reads such a file as if a
stranger wrote it (sizes capped, every operation checked against :data:`ALLOWED_OPS`,
every reference checked), and :class:`ModelGraph` runs it by calling those operations
itself. What the file cannot hide: the numbers it holds (``numbers``) and what it
computes, which is only ever a pure function of its inputs and its tensors.

The grader runs :func:`main` (``python -m labkit.exercises.model_graph``) in a sandbox of
its own: the model file and the inputs come in on stdin, the outputs go out as JSON.

>>> import torch
>>> from torch import nn
>>> torch.manual_seed(0)  # doctest: +ELLIPSIS
<torch._C.Generator object at ...>
>>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
>>> graph = load_model(export_model(model, torch.zeros(5, 4)))
>>> graph.numbers  # 4*3 + 3 + 3*2 + 2
23
>>> x = torch.randn(5, 4)
>>> bool(torch.allclose(graph.run(x), model(x)))
True
"""

from __future__ import annotations

import io
import json
import math
import operator
import sys
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ALLOWED_OPS",
    "ModelFileError",
    "ModelGraph",
    "export_model",
    "load_model",
    "run_model_file",
    "save_model",
    "main",
]

FORMAT = "labkit-model-graph/1"
MAX_FILE_BYTES = 64 * 2**20  # what a model file may weigh (it is stored uncompressed)
MAX_NODES = 20_000  # a ResNet-50 is about 500 operations, a small transformer about 2 000
MAX_TENSORS = 5_000
MAX_NESTING = 4  # lists inside the arguments of an operation
MAX_LIST = 4_096
# Operations a model may use, as named in PyTorch's core ATen operator set (what
# ``run_decompositions`` leaves). Pure tensor arithmetic only: nothing reads a file, draws
# random numbers, returns uninitialised memory or changes a tensor in place.
_ALLOWED_OP_NAMES = """
    abs add addmm alias amax amin any all argmax argmin avg_pool1d avg_pool2d
    _adaptive_avg_pool2d adaptive_avg_pool2d bmm cat clamp clamp_max clamp_min clone
    constant_pad_nd convolution cos cumsum div elu embedding eq exp expand full
    full_like gather ge gelu gt hardsigmoid hardswish hardtanh index_select le
    leaky_relu log _log_softmax logical_and logical_not logical_or lt max
    max_pool2d_with_indices maximum mean min minimum mm mul native_layer_norm
    _native_batch_norm_legit_no_training ne neg permute pow reciprocal relu rsqrt
    scalar_tensor select sigmoid sign silu sin slice _softmax sort split_with_sizes sqrt
    squeeze sub sum tanh topk _to_copy unsqueeze upsample_bilinear2d upsample_nearest2d
    var view where
"""
ALLOWED_OPS = frozenset(_ALLOWED_OP_NAMES.split())
_DTYPES = ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")
_MEMORY_FORMATS = ("contiguous_format", "preserve_format", "channels_last")


class ModelFileError(ValueError):
    """A model that cannot be exported, read or run; the message says why, in words."""


# ------------------------------------------------------------------------------ export
def export_model(model: object, example: object) -> bytes:
    """``model`` exported on ``example`` (one input tensor), as the bytes of a model file.

    The graph is specialised to ``example``'s shape: the grader sends inputs of exactly
    that shape. Raises :class:`ModelFileError` if torch.export cannot trace the model.

    Examples
    --------
    >>> import torch
    >>> data = export_model(torch.nn.Linear(3, 1), torch.zeros(2, 3))
    >>> data[:2]  # a zip archive (NumPy's .npz)
    b'PK'
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ModelFileError(f"expected a PyTorch model (an nn.Module), got {type(model).__name__}")
    model.eval()
    try:
        with warnings.catch_warnings():  # torch's own deprecation notices, not the learner's
            warnings.simplefilter("ignore", FutureWarning)
            # nn.LSTM's own weights list, refreshed while it is traced: harmless here
            warnings.filterwarnings("ignore", "The tensor attributes self", UserWarning)
            program = torch.export.export(model, (example,)).run_decompositions()
    except Exception as error:
        raise ModelFileError(
            f"torch.export could not trace the model: {type(error).__name__}: {str(error)[:500]}"
        ) from None
    return _write_file(program, tuple(example.shape), str(example.dtype).removeprefix("torch."))


def save_model(model: object, shape: Sequence[int], dtype: str, path: str) -> int:
    """Export ``model`` on zeros of ``shape`` and ``dtype`` into the file ``path``.

    What the grader asks the learner's kernel to run; returns the bytes written.
    """
    import torch

    data = export_model(model, torch.zeros(tuple(shape), dtype=getattr(torch, dtype)))
    with open(path, "xb") as handle:
        handle.write(data)
    return len(data)


def _write_file(program: object, shape: tuple, dtype: str) -> bytes:
    """The model file of an exported program: its graph as JSON, its tensors as arrays."""
    from torch.export.graph_signature import InputKind, OutputKind

    signature = program.graph_signature
    if any(spec.kind != OutputKind.USER_OUTPUT for spec in signature.output_specs):
        raise ModelFileError(
            "the model changes its own state when it runs (a buffer is "
            "updated): call model.eval() first"
        )
    inputs, tensors = [], {}
    for spec in signature.input_specs:
        name = spec.arg.name
        if spec.kind == InputKind.USER_INPUT:
            inputs.append(name)
        elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER, InputKind.CONSTANT_TENSOR):
            value = program.state_dict.get(spec.target, program.constants.get(spec.target))
            tensors[name] = value.detach().cpu().numpy()
        else:
            raise ModelFileError(
                f"the model holds a {spec.kind.name.lower()}, which a model file cannot carry"
            )
    nodes, output = [], None
    for node in program.graph.nodes:
        if node.op == "call_function":
            nodes.append(
                {
                    "name": node.name,
                    "op": _op_name(node.target),
                    "args": _encode(list(node.args)),
                    "kwargs": _encode(node.kwargs),
                }
            )
        elif node.op == "output":
            output = _encode(list(node.args[0]))
    graph = {
        "format": FORMAT,
        "inputs": inputs,
        "input_shape": list(shape),
        "input_dtype": dtype,
        "tensors": list(tensors),
        "nodes": nodes,
        "output": output,
    }
    buffer = io.BytesIO()
    arrays = {f"t{i}": array for i, array in enumerate(tensors.values())}
    np.savez(buffer, graph=np.frombuffer(json.dumps(graph).encode(), dtype=np.uint8), **arrays)
    return buffer.getvalue()


def _op_name(target: object) -> str:
    """``"aten.addmm.default"`` for an ATen operation, ``"getitem"`` for tuple indexing."""
    if target is operator.getitem:
        return "getitem"
    return str(target)


def _encode(value: object) -> object:
    """An operation's argument as JSON: nodes become ``{"ref": name}``."""
    import torch
    from torch import fx

    if isinstance(value, fx.Node):
        return {"ref": value.name}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": str(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, torch.dtype):
        return {"dtype": str(value).removeprefix("torch.")}
    if isinstance(value, torch.device):
        return {"device": "cpu"}
    if isinstance(value, torch.memory_format):
        return {"memory_format": str(value).removeprefix("torch.")}
    if isinstance(value, torch.layout):
        return {"layout": "strided"}
    raise ModelFileError(
        f"the model passes a {type(value).__name__} to an operation, which "
        "a model file cannot carry"
    )


# ------------------------------------------------------------------------------ load
@dataclass(frozen=True)
class ModelGraph:
    """A model read from a model file, checked, ready to run.

    Attributes
    ----------
    input_shape : tuple of int
        The shape it was exported for; :meth:`run` takes exactly this.
    input_dtype : str
        E.g. ``"float32"``.
    numbers : int
        Every number the model holds: the sizes of all its tensors added up.
    """

    input_shape: tuple[int, ...]
    input_dtype: str
    numbers: int
    _graph: dict
    _tensors: dict

    def run(self, x: object) -> object:
        """The model's output for the tensor ``x``; :class:`ModelFileError` if it fails.

        Examples
        --------
        >>> import torch
        >>> graph = load_model(export_model(torch.nn.Flatten(), torch.zeros(2, 2, 2)))
        >>> graph.run(torch.ones(2, 2, 2)).shape
        torch.Size([2, 4])
        """
        import torch

        if not isinstance(x, torch.Tensor) or tuple(x.shape) != self.input_shape:
            raise ModelFileError(f"the model takes one tensor of shape {self.input_shape}")
        x = x.to(getattr(torch, self.input_dtype))
        values = {name: torch.from_numpy(array) for name, array in self._tensors.items()}
        values[self._graph["inputs"][0]] = x
        with torch.no_grad():
            for node in self._graph["nodes"]:
                args = _decode(node["args"], values)
                kwargs = {key: _decode(v, values) for key, v in node["kwargs"].items()}
                try:
                    values[node["name"]] = _call(node["op"], args, kwargs)
                except Exception as error:
                    raise ModelFileError(
                        f"the model failed in {node['op']}: {type(error).__name__}"
                    ) from None
        output = _decode(self._graph["output"], values)
        if len(output) != 1 or not isinstance(output[0], torch.Tensor):
            raise ModelFileError("the model must return one tensor")
        return output[0]


def load_model(data: bytes) -> ModelGraph:
    """Read and check a model file written by :func:`save_model`, trusting none of it.

    Raises :class:`ModelFileError` (never anything else) for a file that is too large,
    not a model file, or uses an operation outside :data:`ALLOWED_OPS`.

    Examples
    --------
    >>> load_model(b"not a model")
    Traceback (most recent call last):
    ...
    labkit.exercises.model_graph.ModelFileError: not a model file (BadZipFile)
    """
    if not isinstance(data, bytes) or len(data) > MAX_FILE_BYTES:
        raise ModelFileError(f"a model file must be bytes, at most {MAX_FILE_BYTES // 2**20} MB")
    try:
        arrays = _read_arrays(data)
        graph = json.loads(arrays.pop("graph").tobytes().decode())
    except ModelFileError:
        raise
    except Exception as error:
        raise ModelFileError(f"not a model file ({type(error).__name__})") from None
    tensors = _check_graph(graph, arrays)
    return ModelGraph(
        input_shape=tuple(graph["input_shape"]),
        input_dtype=graph["input_dtype"],
        numbers=sum(int(a.size) for a in tensors.values()),
        _graph=graph,
        _tensors=tensors,
    )


def _read_arrays(data: bytes) -> dict[str, np.ndarray]:
    """The arrays of an .npz, refusing pickles and anything bigger than a model file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_TENSORS + 1:
            raise ModelFileError(f"the model file holds more than {MAX_TENSORS} tensors")
        if sum(m.file_size for m in members) > MAX_FILE_BYTES:
            raise ModelFileError("the model file unpacks to more than it may weigh")
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _check_graph(graph: object, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Check every part of ``graph``; return its tensors by name."""
    if not isinstance(graph, dict) or graph.get("format") != FORMAT:
        raise ModelFileError("not a model file of this version (format)")
    inputs, names, nodes = graph.get("inputs"), graph.get("tensors"), graph.get("nodes")
    shape, dtype = graph.get("input_shape"), graph.get("input_dtype")
    if not (_names(inputs) and len(inputs) == 1):
        raise ModelFileError("the model must take exactly one input tensor")
    if (
        not (
            isinstance(shape, list)
            and 0 < len(shape) <= 8
            and all(type(s) is int and 0 < s <= 2**20 for s in shape)
        )
        or dtype not in _DTYPES
    ):
        raise ModelFileError("the model file's input shape or type cannot be read")
    if not _names(names) or sorted(arrays) != sorted(f"t{i}" for i in range(len(names))):
        raise ModelFileError("the model file's tensors do not match its graph")
    tensors = dict(zip(names, (arrays[f"t{i}"] for i in range(len(names))), strict=True))
    if any(a.dtype.name not in _DTYPES for a in tensors.values()):
        raise ModelFileError(f"a tensor of the model is not of a type in {_DTYPES}")
    if not isinstance(nodes, list) or len(nodes) > MAX_NODES:
        raise ModelFileError(f"the model must be a list of at most {MAX_NODES} operations")
    known = set(inputs) | set(names)
    if len(known) != len(inputs) + len(names):
        raise ModelFileError("the model file names two values alike")
    for node in nodes:
        if not (
            isinstance(node, dict)
            and set(node) == {"name", "op", "args", "kwargs"}
            and _names([node["name"]])
            and node["name"] not in known
        ):
            raise ModelFileError("an operation of the model cannot be read")
        _check_op(node["op"])
        kwargs = node["kwargs"]
        if not (
            isinstance(node["args"], list)
            and isinstance(kwargs, dict)
            and all(isinstance(key, str) and key.isidentifier() for key in kwargs)
        ):
            raise ModelFileError("an operation's arguments cannot be read")
        _check_value(node["args"], known, 0)
        for value in kwargs.values():
            _check_value(value, known, 1)
        known.add(node["name"])
    if not isinstance(graph.get("output"), list):
        raise ModelFileError("the model's output cannot be read")
    _check_value(graph["output"], known, 0)
    return tensors


def _names(values: object) -> bool:
    """True for a list of short identifiers."""
    return isinstance(values, list) and all(
        isinstance(v, str) and v.isidentifier() and len(v) <= 200 for v in values
    )


def _check_op(op: object) -> None:
    """Raise unless ``op`` is ``getitem`` or ``aten.<allowed>.<overload>``."""
    if op == "getitem":
        return
    parts = op.split(".") if isinstance(op, str) else []
    if len(parts) != 3 or parts[0] != "aten" or not all(p.isidentifier() for p in parts):
        raise ModelFileError("the model uses an operation that is not a PyTorch ATen operation")
    if parts[1] not in ALLOWED_OPS:
        shown = parts[1][:60]
        raise ModelFileError(
            f"the model uses aten.{shown}, which a graded model may not use "
            "(only pure tensor arithmetic is allowed)"
        )


def _check_value(value: object, known: set, depth: int) -> None:
    """Raise unless ``value`` is an argument a model file may hold."""
    if depth > MAX_NESTING:
        raise ModelFileError("an operation's arguments are nested too deeply")
    if value is None or type(value) in (bool, int, float):
        return
    if isinstance(value, str) and len(value) <= 32:
        return
    if isinstance(value, list) and len(value) <= MAX_LIST:
        for v in value:
            _check_value(v, known, depth + 1)
        return
    if isinstance(value, dict) and len(value) == 1:
        ((key, item),) = value.items()
        if key == "ref" and item in known:
            return
        if key == "float" and item in ("inf", "-inf", "nan"):
            return
        if (key, item) in (("device", "cpu"), ("layout", "strided")):
            return
        if key == "dtype" and item in _DTYPES:
            return
        if key == "memory_format" and item in _MEMORY_FORMATS:
            return
    raise ModelFileError("an operation's arguments hold something a model file may not")


# ------------------------------------------------------------------------------ run
def _decode(value: object, values: dict) -> object:
    """An argument as the operation takes it: references become the values computed."""
    import torch

    if isinstance(value, list):
        return [_decode(v, values) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, item),) = value.items()
            if key == "ref":
                return values[item]
            if key == "float":
                return float(item)
            if key in ("dtype", "memory_format", "layout"):
                return getattr(torch, item)
            if key == "device":
                return torch.device("cpu")
        raise ModelFileError("an operation's arguments cannot be read")
    return value


def _call(op: str, args: list, kwargs: dict) -> object:
    """Run one checked operation."""
    import torch

    if op == "getitem":
        sequence, index = args
        if not isinstance(sequence, tuple | list) or type(index) is not int:
            raise TypeError("getitem takes a tuple and an int")
        return sequence[index]
    _, name, overload = op.split(".")
    if name == "view":
        # torch.export writes a reshape as a view when the traced tensor's memory layout
        # allowed one (a convolution's output in channels_last, as labkit.fit trains).
        # Tensors here are laid out afresh, so run it as the reshape it stands for: the
        # same values, whatever the layout.
        return torch.reshape(*args, **kwargs)
    return getattr(getattr(torch.ops.aten, name), overload)(*args, **kwargs)


# ------------------------------------------------------------------------------ judge
def run_model_file(data: bytes, inputs: Sequence[object]) -> tuple[list[np.ndarray], int]:
    """The outputs of the model file ``data`` for each of ``inputs`` (arrays of its input
    shape), and the numbers it holds: what the grader judges.

    Examples
    --------
    >>> import torch
    >>> data = export_model(torch.nn.Linear(3, 2), torch.zeros(1, 3))
    >>> outputs, numbers = run_model_file(data, [np.ones((1, 3)), np.zeros((1, 3))])
    >>> len(outputs), outputs[0].shape, numbers
    (2, (1, 2), 8)
    """
    import torch

    graph = load_model(data)
    outputs = [graph.run(torch.as_tensor(np.asarray(x))).numpy() for x in inputs]
    return outputs, graph.numbers


def main() -> None:
    """The judge: read ``.npz`` bytes on stdin (``model``: the model file as uint8,
    ``inputs``: a stack of inputs), print ``{"outputs": [...], "numbers": N}`` as JSON, or
    ``{"error": "..."}`` in the words of :class:`ModelFileError`."""
    try:
        with np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False) as npz:
            data, inputs = npz["model"].tobytes(), npz["inputs"]
        outputs, numbers = run_model_file(data, list(inputs))
        reply = {"outputs": [o.tolist() for o in outputs], "numbers": numbers}
    except ModelFileError as error:
        reply = {"error": str(error)}
    except Exception as error:  # a judge input it cannot read: say what kind, not more
        reply = {"error": f"the judge failed ({type(error).__name__})"}
    sys.stdout.write(json.dumps(reply))


if __name__ == "__main__":
    main()
