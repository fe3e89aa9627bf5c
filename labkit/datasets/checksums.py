"""Checksums of dataset files: the published digest a downloaded file must match.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "hello.txt"
>>> _ = path.write_bytes(b"hello")
>>> file_checksum(path, "md5")
'5d41402abc4b2a76b9719d911017c592'
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from labkit.validation import one_of

__all__ = ["file_checksum", "is_valid", "parse_checksum"]

CHUNK = 1024 * 1024  # read and hash 1 MiB at a time: constant memory for any file size
_HEX_DIGITS = {"md5": 32, "sha256": 64}  # the checksum algorithms we accept


def parse_checksum(checksum: str) -> tuple[str, str]:
    """Split ``"md5:<hex>"`` into ``("md5", "<hex>")``, checking both parts."""
    algorithm, _, digest = checksum.partition(":")
    n_digits = _HEX_DIGITS.get(algorithm)
    if n_digits is None or len(digest) != n_digits or digest.strip("0123456789abcdef"):
        raise ValueError(
            f"checksum must be 'md5:' followed by 32 lowercase hex digits or 'sha256:' followed "
            f"by 64. Received: checksum={checksum!r}"
        )
    return algorithm, digest


def file_checksum(path: str | os.PathLike, algorithm: str) -> str:
    """The hex digest of a file, read 1 MiB at a time.

    Parameters
    ----------
    path : str or path
    algorithm : str
        ``"md5"`` or ``"sha256"``.

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "hello.txt"
    >>> _ = path.write_bytes(b"hello")
    >>> file_checksum(path, "md5")
    '5d41402abc4b2a76b9719d911017c592'
    """
    algorithm = one_of("algorithm", algorithm, sorted(_HEX_DIGITS))
    # MD5 is only a corruption check here; https protects against tampering.
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_valid(path: str | os.PathLike, checksum: str) -> bool:
    """True if the file exists and matches ``checksum`` (``"md5:<hex>"`` or ``"sha256:<hex>"``).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "hello.txt"
    >>> is_valid(path, "md5:5d41402abc4b2a76b9719d911017c592")
    False
    >>> _ = path.write_bytes(b"hello")
    >>> is_valid(path, "md5:5d41402abc4b2a76b9719d911017c592")
    True
    """
    algorithm, expected = parse_checksum(checksum)
    return Path(path).is_file() and file_checksum(path, algorithm) == expected
