"""The course secret, from which every student's graded inputs are drawn.

>>> read_secret(environ={"LABKIT_COURSE_SECRET": "0123456789abcdef0123"})
b'0123456789abcdef0123'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SECRET_VARIABLE", "read_secret"]

SECRET_VARIABLE = "LABKIT_COURSE_SECRET"
_MAKE_SECRET = (
    "Create one once per course and keep it private:\n"
    '  python3 -c "import secrets; print(secrets.token_hex(32))" > course.secret\n'
    "  chmod 600 course.secret\n"
    "then pass --secret-file course.secret (or set LABKIT_COURSE_SECRET)."
)


def read_secret(secret_file: str | Path | None = None, environ: dict | None = None) -> bytes:
    """The course secret: from ``secret_file``, else ``$LABKIT_COURSE_SECRET``.

    Raises ValueError, saying how to create one, when neither is set, the secret is
    shorter than 16 characters, or the file is readable by other users.
    """
    environ = os.environ if environ is None else environ
    if secret_file is not None:
        path = Path(secret_file)
        if path.stat().st_mode & 0o077:
            raise ValueError(f"{path} can be read by other users: run chmod 600 {path}.")
        secret = path.read_bytes().strip()
    else:
        secret = environ.get(SECRET_VARIABLE, "").strip().encode()
        if not secret:
            raise ValueError(f"No course secret. {_MAKE_SECRET}")
    if len(secret) < 16:
        raise ValueError(
            f"The course secret is too short ({len(secret)} bytes; at least 16). {_MAKE_SECRET}"
        )
    return secret
