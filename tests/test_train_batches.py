"""Tests for labkit.train.batches: per-epoch orders, slicing, dtypes, DataLoaders, memory format."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from labkit.train.batches import (
    LoaderBatches,
    TensorBatches,
    as_tensor,
    epoch_generator,
    make_batches,
)

CPU = torch.device("cpu")


def indices_of(batches, epoch):
    """The sample indices of one epoch, batch by batch (X holds 0, 1, 2, ... so X is the index)."""
    return [xb.tolist() for xb, _ in batches.epoch(epoch)]


def flat(batch_lists):
    """Concatenate a list of lists."""
    return [i for batch in batch_lists for i in batch]


# --- epoch_generator ----------------------------------------------------------------------


def test_epoch_generator_is_determined_by_seed_and_epoch():
    first = torch.randperm(100, generator=epoch_generator(7, 3))
    again = torch.randperm(100, generator=epoch_generator(7, 3))
    assert torch.equal(first, again)


@pytest.mark.parametrize(("seed", "epoch"), [(7, 4), (8, 3), (3, 7)])
def test_epoch_generator_differs_for_another_seed_or_epoch(seed, epoch):
    reference = torch.randperm(100, generator=epoch_generator(7, 3))
    other = torch.randperm(100, generator=epoch_generator(seed, epoch))
    assert not torch.equal(reference, other)


def test_epoch_generator_ignores_the_global_torch_generator():
    torch.manual_seed(1)
    first = torch.randperm(50, generator=epoch_generator(0, 0))
    torch.manual_seed(2)
    second = torch.randperm(50, generator=epoch_generator(0, 0))
    assert torch.equal(first, second)


# --- TensorBatches ------------------------------------------------------------------------


def test_every_index_appears_exactly_once_per_epoch_and_the_last_batch_is_partial():
    batches = TensorBatches(torch.arange(10), torch.arange(10), 4, CPU)
    per_batch = indices_of(batches, 0)
    assert [len(b) for b in per_batch] == [4, 4, 2]
    assert sorted(flat(per_batch)) == list(range(10))
    assert len(batches) == 3


@pytest.mark.parametrize(("n", "batch_size", "expected"), [(10, 4, 3), (8, 4, 2), (3, 5, 1)])
def test_len_is_the_number_of_batches(n, batch_size, expected):
    batches = TensorBatches(torch.arange(n), None, batch_size, CPU)
    assert len(batches) == expected
    assert len(list(batches.epoch(0))) == expected


def test_order_is_reproducible_for_the_same_seed_and_epoch_and_changes_with_the_epoch():
    batches = TensorBatches(torch.arange(40), None, 8, CPU, seed=3)
    same_object_again = indices_of(batches, 2)
    rebuilt = indices_of(TensorBatches(torch.arange(40), None, 8, CPU, seed=3), 2)
    assert indices_of(batches, 2) == same_object_again == rebuilt
    assert indices_of(batches, 3) != indices_of(batches, 2)
    assert flat(indices_of(batches, 2)) != list(range(40))  # it really shuffles


def test_order_is_the_permutation_of_the_epoch_generator():
    batches = TensorBatches(torch.arange(12), None, 5, CPU, seed=4)
    expected = torch.randperm(12, generator=epoch_generator(4, 6)).tolist()
    assert flat(indices_of(batches, 6)) == expected


def test_another_seed_gives_another_order():
    seed_0 = TensorBatches(torch.arange(40), None, 8, CPU, seed=0)
    seed_1 = TensorBatches(torch.arange(40), None, 8, CPU, seed=1)
    assert indices_of(seed_0, 0) != indices_of(seed_1, 0)


def test_shuffle_false_keeps_the_order():
    batches = TensorBatches(torch.arange(7), torch.arange(7), 3, CPU, shuffle=False)
    assert indices_of(batches, 0) == [[0, 1, 2], [3, 4, 5], [6]]
    assert indices_of(batches, 5) == indices_of(batches, 0)


def test_x_and_y_stay_aligned_after_shuffling():
    X = torch.arange(30.0).reshape(15, 2)  # row i is [2i, 2i + 1]
    y = torch.arange(15) * 10
    for xb, yb in TensorBatches(X, y, 4, CPU, seed=5).epoch(1):
        assert torch.equal(xb[:, 0].long() * 5, yb)
        assert torch.equal(xb[:, 1], xb[:, 0] + 1)


def test_y_none_yields_none_targets():
    pairs = list(TensorBatches(torch.arange(5), None, 2, CPU).epoch(0))
    assert [yb for _, yb in pairs] == [None, None, None]


def test_4d_x_is_stored_and_yielded_channels_last_when_asked():
    X = torch.randn(6, 3, 4, 5)
    batches = TensorBatches(X, torch.arange(6), 4, CPU, channels_last=True)
    assert batches.X.is_contiguous(memory_format=torch.channels_last)
    assert not batches.X.is_contiguous()  # really NHWC, not just compatible with both
    assert torch.equal(batches.X, X)  # same values, other memory layout
    for xb, _ in batches.epoch(0):
        assert xb.is_contiguous(memory_format=torch.channels_last)


def test_4d_x_stays_nchw_without_channels_last():
    X = torch.randn(6, 3, 4, 5)
    batches = TensorBatches(X, None, 4, CPU)
    assert batches.X.is_contiguous()
    assert not batches.X.is_contiguous(memory_format=torch.channels_last)


def test_2d_x_is_left_alone_with_channels_last():
    X = torch.randn(6, 3)
    batches = TensorBatches(X, None, 4, CPU, channels_last=True)
    assert batches.X is X


def test_cpu_data_counts_as_on_device():
    assert TensorBatches(torch.zeros(4, 2), None, 2, CPU).on_device is True


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_small_data_is_copied_to_the_gpu_once():
    cuda = torch.device("cuda")
    batches = TensorBatches(torch.arange(10.0), torch.arange(10), 4, cuda)
    assert batches.on_device is True
    assert batches.X.device.type == "cuda"
    assert batches.y.device.type == "cuda"
    xb, yb = next(iter(batches.epoch(0)))
    assert xb.device.type == yb.device.type == "cuda"


# --- as_tensor ----------------------------------------------------------------------------


def test_as_tensor_turns_float64_numpy_into_float32():
    array = np.array([0.5, 1.25, -2.0])
    tensor = as_tensor(array, "X")
    assert tensor.dtype == torch.float32
    assert tensor.tolist() == [0.5, 1.25, -2.0]


def test_as_tensor_keeps_int64_numpy_as_int64():
    tensor = as_tensor(np.array([3, 1, 2], dtype=np.int64), "y")
    assert tensor.dtype == torch.int64
    assert tensor.tolist() == [3, 1, 2]


@pytest.mark.parametrize(
    "labels", [np.array([3, 1, 2], dtype=np.int32), torch.tensor([3, 1, 2], dtype=torch.int16)]
)
def test_integer_labels_become_int64_for_the_losses(labels):
    """nn.CrossEntropyLoss needs int64 labels; int32 ones would fail inside training."""
    X = torch.zeros(3, 2)
    batches = make_batches((X, labels), 2, torch.device("cpu"), shuffle=False)
    assert batches.y.dtype == torch.int64
    loader = DataLoader(TensorDataset(X, torch.as_tensor(labels)), batch_size=2)
    _, yb = next(make_batches(loader, 2, torch.device("cpu"), shuffle=False).epoch(0))
    assert yb.dtype == torch.int64
    images = np.zeros((3, 1, 2, 2), dtype=np.uint8)  # inputs keep their (compact) dtype
    assert as_tensor(images, "X").dtype == torch.uint8


def test_as_tensor_accepts_non_contiguous_numpy():
    array = np.arange(12.0).reshape(3, 4)[:, ::2]
    assert as_tensor(array, "X").tolist() == array.tolist()


@pytest.mark.parametrize(
    "tensor", [torch.arange(3.0), torch.arange(3), torch.zeros(2, dtype=torch.float64)]
)
def test_as_tensor_returns_a_tensor_unchanged(tensor):
    assert as_tensor(tensor, "X") is tensor


def test_as_tensor_rejects_a_list_naming_the_argument():
    with pytest.raises(TypeError, match=r"my_X must be a torch\.Tensor .* Received: list"):
        as_tensor([1.0, 2.0], "my_X")


# --- make_batches -------------------------------------------------------------------------


def test_make_batches_rejects_a_tuple_of_length_3():
    data = (torch.zeros(4, 2), torch.zeros(4), torch.zeros(4))
    with pytest.raises(ValueError, match=r"train_data must be a pair .* tuple of length 3"):
        make_batches(data, 2, CPU, shuffle=True)


def test_make_batches_names_the_wrong_part_of_the_pair():
    with pytest.raises(TypeError, match=r"val_data\[1\] \(y\) must be .* Received: list"):
        make_batches((torch.zeros(4, 2), [0, 1, 0, 1]), 2, CPU, shuffle=False, name="val_data")


def test_make_batches_wraps_a_numpy_pair_in_tensor_batches():
    batches = make_batches((np.zeros((5, 2)), np.arange(5)), 2, CPU, shuffle=False, seed=9)
    assert isinstance(batches, TensorBatches)
    assert (batches.X.dtype, batches.y.dtype) == (torch.float32, torch.int64)
    assert (batches.batch_size, batches.shuffle, batches.seed) == (2, False, 9)


def test_make_batches_takes_x_alone_for_prediction():
    batches = make_batches(torch.arange(5.0), 2, CPU, shuffle=False)
    assert isinstance(batches, TensorBatches)
    assert batches.y is None


def test_make_batches_wraps_a_dataloader():
    loader = DataLoader(TensorDataset(torch.arange(5.0)), batch_size=2)
    batches = make_batches(loader, 99, CPU, shuffle=True, channels_last=True)
    assert isinstance(batches, LoaderBatches)
    assert batches.loader is loader
    assert batches.channels_last is True


# --- LoaderBatches ------------------------------------------------------------------------


def test_loader_batches_yield_x_y_pairs_in_the_loaders_order():
    dataset = TensorDataset(torch.arange(5.0), torch.arange(5) * 10)
    batches = LoaderBatches(DataLoader(dataset, batch_size=2), CPU)
    pairs = [(xb.tolist(), yb.tolist()) for xb, yb in batches.epoch(0)]
    assert pairs == [([0.0, 1.0], [0, 10]), ([2.0, 3.0], [20, 30]), ([4.0], [40])]
    assert len(batches) == 3


def test_loader_batches_of_bare_tensors_have_no_targets():
    batches = LoaderBatches(DataLoader(torch.arange(5.0), batch_size=2), CPU)
    pairs = list(batches.epoch(0))
    assert [xb.tolist() for xb, _ in pairs] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    assert [yb for _, yb in pairs] == [None, None, None]


def test_loader_batches_make_4d_batches_channels_last_when_asked():
    dataset = TensorDataset(torch.randn(4, 3, 2, 2), torch.arange(4))
    for channels_last in (True, False):
        batches = LoaderBatches(DataLoader(dataset, batch_size=2), CPU, channels_last=channels_last)
        for xb, _ in batches.epoch(0):
            assert xb.is_contiguous(memory_format=torch.channels_last) is channels_last
            assert xb.is_contiguous() is not channels_last


def test_loader_batches_leave_2d_batches_alone_with_channels_last():
    dataset = TensorDataset(torch.randn(4, 3), torch.arange(4))
    batches = LoaderBatches(DataLoader(dataset, batch_size=2), CPU, channels_last=True)
    assert all(xb.is_contiguous() for xb, _ in batches.epoch(0))
