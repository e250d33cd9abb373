"""Durable, atomic file system changes: a crash (a kill, a power cut) leaves the old state or the
new one, never a half-written file.

Every file is written under a temporary name in its own folder, flushed and fsynced, renamed
over its real name, and the folder is fsynced so that the rename itself survives. Folders are
published the same way (fsync the tree, rename, fsync both parents). Nothing here knows about
months: pipeline/lifecycle.py decides what is renamed when.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

TEMP_MARK = ".tmp-"  # a temporary file is .<name>.tmp-<pid>: recovery removes what a crash left

# a folder whose files are fsynced all at once by whoever writes it (synced_later)
_SYNCED_LATER: ContextVar[Path | None] = ContextVar("synced_later", default=None)


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and TEMP_MARK in path.name


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entry to the disk (a folder: the names in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """path gets exactly `data` or keeps what it had (a crash never leaves it empty or partial)."""

    def write(temp: Path) -> None:
        with temp.open("wb") as handle:
            handle.write(data)

    atomic_write_with(path, write)


def atomic_write_with(path: Path, write: Callable[[Path], None]) -> None:
    """The same for a writer that needs a file name (Parquet): `write` fills the temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_name(path)
    later = _SYNCED_LATER.get()
    synced_now = later is None or later not in path.parents
    try:
        write(temp)
        if synced_now:
            fsync_path(temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if synced_now:
        fsync_path(path.parent)


@contextmanager
def synced_later(folder: Path) -> Iterator[None]:
    """Files written under `folder` in this context skip their own two fsyncs: the caller fsyncs
    the whole tree (fsync_tree) before anything counts on it. Only for a folder that a crash
    before that throws away (a staging folder not yet marked complete): a month's draft writes
    some 80 files, and syncing each and its folder one by one waited up to 0.7 s of its write.
    Threads started inside see it only when run in a copy of this context."""
    token = _SYNCED_LATER.set(folder)
    try:
        yield
    finally:
        _SYNCED_LATER.reset(token)


def fsync_tree(folder: Path) -> None:
    """Every file and folder under `folder` on the disk, before the folder is published."""
    for root, _, files in os.walk(folder):
        for name in files:
            fsync_path(Path(root) / name)
        fsync_path(Path(root))


def publish_rename(source: Path, target: Path) -> None:
    """Rename a finished folder into place: its contents first reach the disk, then the rename,
    then the folders that hold both names."""
    fsync_tree(source)
    os.rename(source, target)
    fsync_path(target.parent)
    if source.parent != target.parent:
        fsync_path(source.parent)


def remove_tree(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
        fsync_path(folder.parent)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
