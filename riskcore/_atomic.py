"""Writing a file so that it is never lost: a temporary file in the same folder, renamed into place.

A failure while writing (a full disk, a size limit, an exception half-way) leaves the old file as
it was and no temporary file behind; the rename itself is atomic on POSIX and Windows
(:func:`os.replace`). Every file the command line writes goes through :func:`write_atomic`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file renamed into place.

    The temporary file is created next to the target (so the rename never crosses a file
    system), with the permissions a new file would get; an existing file keeps its own. A
    symbolic link is written through, not replaced.

    Parameters
    ----------
    path : str or Path
        The file to write.
    data : str or bytes
        The whole content.

    Raises
    ------
    OSError
        When the folder cannot be written or the data do not fit; the old file is unchanged.
    """
    target = Path(os.path.realpath(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:  # pragma: no cover - a name collision of 32 random bits
            continue
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
