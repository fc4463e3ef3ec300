"""Files the library writes: owner-only (articles are private data) and on disk before use."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text`: written to a private temporary file, fsynced, renamed, and
    the rename fsynced, so `path` holds the old text or the new, never part of one."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), FILE_MODE)  # a leftover .tmp may have had another mode
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def seal_tree(directory: Path, *, fsync: bool = True) -> None:
    """Make everything under `directory` (and itself) owner-only, whatever the umask and the
    libraries that wrote it (FAISS, bm25s, numpy, transformers) made of it; then fsync it all,
    deepest first."""
    paths = sorted(directory.rglob("*"), key=lambda p: -len(p.parts)) + [directory]
    for path in paths:
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)
        if fsync:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
