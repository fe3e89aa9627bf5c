"""Files the grader reads or writes where someone else may have planted something.

As root, the grader reads submissions and exported models that students control, and
writes reports into a folder whose parts a student could have prepared. Here every such
read and write refuses to follow a symbolic link, and no read takes more than a cap.

>>> import tempfile
>>> out = prepare_out(Path(tempfile.mkdtemp()) / "results")
>>> written = write_file(out, "feedback/ada.json", "{}")
>>> read_untrusted(written, max_bytes=100)
b'{}'
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

__all__ = ["FileTooLarge", "UntrustedFileError", "prepare_out", "read_untrusted", "write_file"]


class UntrustedFileError(Exception):
    """A file that may not be read; the message says why, quoting nothing of the file."""


class FileTooLarge(UntrustedFileError):
    """A file over the size the reader allows (the caller may say how to make it smaller)."""


def read_untrusted(path: str | Path, *, max_bytes: int, owner: int | None = None) -> bytes:
    """The bytes of the plain file ``path``, read without following a symbolic link.

    Raises :class:`UntrustedFileError` for a link, something that is not a plain file
    (a FIFO, a device, a folder), or, with ``owner``, a file of another user (a hard link
    to someone else's file); :class:`FileTooLarge`, one of them, for a file over
    ``max_bytes``.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UntrustedFileError("it is a symbolic link, not a file") from None
        raise UntrustedFileError(f"it could not be opened ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedFileError("it is not a plain file")
        if owner is not None and info.st_uid != owner:
            raise UntrustedFileError("it belongs to another user")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"it is larger than {max_bytes:,} bytes")
    return data


def prepare_out(out: str | Path) -> Path:
    """The results folder: made here (mode 700), or an existing one that only this user
    could have prepared. Refuses a link, another user's folder, or one others may write
    to: whoever prepared it could have planted links for root to write through.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        info = os.lstat(out)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise ValueError(
                f"--out {out} is not a folder (a link or a file): choose a new "
                "folder for the results."
            ) from None
        if info.st_uid != os.geteuid() or info.st_mode & 0o022:
            raise ValueError(
                f"--out {out} belongs to another user or others may write to it, "
                "so someone else could have prepared it: choose a new folder "
                "for the results."
            ) from None
    return out


def write_file(out: Path, relative: str, text: str) -> Path:
    """Write ``text`` to ``out/relative`` atomically (readers never see half a file),
    following no symbolic link on the way: every folder is opened with O_NOFOLLOW, and
    the file is renamed over whatever stands at its name (a link is replaced, not followed).
    """
    *folders, name = Path(relative).parts
    folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in folders:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o700, dir_fd=folder)
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        temporary = f".{name}.{secrets.token_hex(4)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        with os.fdopen(os.open(temporary, flags, 0o600, dir_fd=folder), "w") as handle:
            handle.write(text)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        os.close(folder)
    return out / relative
