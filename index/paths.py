"""Checks of the folders the command line is given, made before anything is opened or written, so
a bad path is one clear BadInput instead of an OSError from deep inside. They only look (stat,
access); they create nothing."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BadInput


def describe(exc: BaseException) -> str:
    """An OS or SQLite error as one line ("permission denied: /x/y"), without the errno."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror[:1].lower()}{exc.strerror[1:]}{where}"
    return str(exc) or type(exc).__name__


def nearest_existing(path: Path) -> Path:
    """`path` itself if it exists, else its closest ancestor that does."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _writable(directory: Path) -> bool:
    return os.access(directory, os.W_OK | os.X_OK)


def models_folder(data_dir: Path, chosen: str = "") -> Path:
    """Where the ONNX exports of the models are kept: `chosen` (MODELS_DIR: one folder shared by
    several libraries, each of which would otherwise keep its own 200 MB of exports), else
    DATA_DIR/models, else, where that cannot be written (a read-only data dir: a mounted backup,
    another user's library), the user's cache ($XDG_CACHE_HOME or ~/.cache, /articlebot/models):
    each process would otherwise export the reader and the second look again (about 10 s, and a
    warning for each). A chosen folder is checked: not a file, not under one."""
    if chosen := chosen.strip():
        check_data_dir(Path(chosen), write=False, what="MODELS_DIR")
        return Path(chosen)
    preferred = data_dir / "models"
    if _writable(nearest_existing(preferred)):
        return preferred
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "articlebot" / "models"


def check_data_dir(data_dir: Path, *, write: bool, what: str = "the data dir") -> None:
    """BadInput unless `data_dir` is, or can be made, a folder (and, with `write`, one this
    process can write in): not a file, not under a file. `what` names it in the message (the
    models folder is checked the same way)."""
    existing = nearest_existing(data_dir)
    if not existing.is_dir():
        if existing == Path(os.path.abspath(data_dir)):
            raise BadInput(f"{what} {data_dir} is a file, not a folder")
        raise BadInput(f"{what} {data_dir} cannot be made: {existing} is a file")
    if write and not _writable(existing):
        raise BadInput(
            f"{what} {data_dir} is not writable"
            if existing == Path(os.path.abspath(data_dir))
            else f"{what} {data_dir} cannot be made: {existing} is not writable"
        )


def check_backup_destination(destination: Path, data_dir: Path) -> None:
    """BadInput unless `destination` can become a new folder holding a backup of the library
    in `data_dir`: not a symbolic link (dangling or not), outside the data dir (whose index
    folder the library prunes, and which is lost with it), not under a file, not an existing
    non-empty folder, in a writable place."""
    if destination.is_symlink():
        raise BadInput(f"{destination} is a symbolic link; give the path of a new folder")
    real = Path(os.path.realpath(destination))
    home = Path(os.path.realpath(data_dir))
    if real == home or home in real.parents:
        raise BadInput(
            f"{destination} is inside the data dir {data_dir}; put the backup outside it "
            "(the library deletes what it does not know in its index folder, and a backup "
            "must not share the data dir's fate)"
        )
    existing = nearest_existing(destination)
    if existing == Path(os.path.abspath(destination)):
        if not existing.is_dir() or any(existing.iterdir()):
            raise BadInput(f"{destination} already exists and is not an empty folder")
        existing = existing.parent  # the copy is made beside it, then renamed over it
    elif not existing.is_dir():
        raise BadInput(f"cannot make the folder {destination}: {existing} is a file")
    if not _writable(existing):
        raise BadInput(f"cannot make the folder {destination}: {existing} is not writable")
