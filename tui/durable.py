"""The one durable writer: every file a user would miss (annotations, exports, reading state, the
feed list, added articles) goes to a temporary file in the same folder, is fsynced and replaces the
old one in one step, so a kill at any instant leaves the old or the new file, whole.
"""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder's entry is on disk too.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# A file name is at most 255 bytes on every common file system. A temporary or retired name adds
# up to 20 bytes to the start of the real one it is named after, so that start is cut to fit.
TEMPORARY_NAME_START_BYTES = 200


def name_start(name: str) -> str:
    """The start of `name`, at most TEMPORARY_NAME_START_BYTES of UTF-8, cut between characters."""
    return name.encode("utf-8")[:TEMPORARY_NAME_START_BYTES].decode("utf-8", "ignore")


def write_atomically(
    path: Path, chunks: Iterable[bytes], *, free_later: bool = False, overwrite: bool = True
) -> None:
    """Write to a temporary file in the same folder, fsync, then replace `path` in one step.

    `overwrite=False`: put the file in place only if `path` does not exist (FileExistsError if it
    does), by a hard link, so that two writers racing for one name cannot both win.

    `free_later`: free the old file's blocks in a background thread (the store's save budget).
    Its hidden `.old` name may outlive an exiting process, so only the store, which clears such
    leftovers in its folder, asks for it; an export into a user's vault does not.
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{name_start(path.name)}.", suffix=".tmp", dir=path.parent)
    retired: str | None = None
    try:
        try:
            _write_all(fd, chunks)
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.chmod(temporary, 0o644 if not path.exists() else path.stat().st_mode & 0o777)
        retired = _retire(path) if free_later else None
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except BaseException:
        for leftover in (temporary, retired):
            if leftover:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
        raise
    fsync_dir(path.parent)
    if retired:
        _unlink_later(retired)


def _link_new(temporary: str, path: Path) -> None:
    """Give the written file its name only if no file has it; the temporary name goes either way."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: an exclusive create reserves the name, then the
        # replace fills it in one step.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def _write_all(fd: int, chunks: Iterable[bytes]) -> None:
    """Write every chunk, in as few system calls as possible (the kernel copies each byte once)."""
    views = [memoryview(chunk) for chunk in chunks if chunk]
    writev = getattr(os, "writev", None)
    while views:
        # Windows has no writev; 1024 is the usual IOV_MAX.
        written = os.write(fd, views[0]) if writev is None else writev(fd, views[:1024])
        while written and views:  # a write may take less than it was given
            if written >= len(views[0]):
                written -= len(views[0])
                views.pop(0)
            else:
                views[0] = views[0][written:]
                written = 0


def _retire(path: Path) -> str | None:
    """Keep the old file alive under a second name, so that `os.replace` does not free its blocks.

    Freeing a 7 MB file takes ~9 ms here, half the save budget; a background thread does it instead.
    """
    retired = str(path.parent / f".{name_start(path.name)}.{uuid.uuid4().hex[:12]}.old")
    try:
        os.link(path, retired)
    except OSError:  # no file yet, or a file system without hard links: free it inline
        return None
    return retired


_unlink_queue: queue.SimpleQueue[str] | None = None
_unlink_queue_lock = threading.Lock()


def _unlink_later(name: str) -> None:
    global _unlink_queue
    with _unlink_queue_lock:
        if _unlink_queue is None:
            _unlink_queue = queue.SimpleQueue()
            threading.Thread(
                target=_unlinker, args=(_unlink_queue,), name="tui-store-unlink", daemon=True
            ).start()
    _unlink_queue.put(name)


def _unlinker(names: queue.SimpleQueue[str]) -> None:
    # A name left behind by an exit before this ran is removed by the next session's first write.
    while True:
        name = names.get()
        with contextlib.suppress(OSError):
            os.unlink(name)


def read_regular_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path` (a link to one is followed), at most `limit` of them
    when given. A pipe or a device is an OSError saying so, never read: a named pipe would wait
    forever for a writer, and /dev/zero (whose size reads 0) would never end."""
    import errno
    import stat

    status = os.stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
    if not stat.S_ISREG(status.st_mode):
        raise OSError(errno.EINVAL, "not a regular file (a pipe or a device)", str(path))
    with open(path, "rb") as handle:
        return handle.read() if limit is None else handle.read(limit)
