"""Checkpoints: the in-memory indexes saved beside SQLite, for a fast start at large sizes.

Optional and never written on the add path: a background thread writes one when many passages
changed since the last (embedded.py). A checkpoint is a directory `index/ckpt-<seq>/` holding
the FAISS file, the BM25 arrays and a manifest naming the change-log row it includes (its seq
and random token, so a database restored from a backup is not mistaken for the one it was
taken from); `index/CURRENT` names the live one and is replaced atomically. Opening loads it
and applies the changes logged after it; anything unreadable or not matching is ignored with
a warning and the indexes are made from SQLite instead. Older layouts' `index/gen-*` are
ignored and removed with the next checkpoint.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..files import seal_tree, write_atomic
from ..lexical import LexicalIndex
from ..vectors import VectorIndex

logger = logging.getLogger(__name__)
FORMAT = 3  # 3: checkpoints of the change log (1-2: index generations of before)


@dataclass(frozen=True)
class Manifest:
    seq: int
    token: str
    model: str
    dimension: int
    analyzer: int
    passages: int

    @property
    def directory(self) -> str:
        """The name of the checkpoint's directory under index/."""
        return f"ckpt-{self.seq:09d}"

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=1)


def load(root: Path) -> tuple[Manifest, VectorIndex, LexicalIndex] | None:
    """The live checkpoint, or None when there is none or it is unreadable (logged)."""
    try:
        name = (root / "CURRENT").read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        logger.warning("index/CURRENT is unreadable (%s); indexes are made from the database", exc)
        return None
    directory = root / name
    try:
        if not name.startswith("ckpt-") or "/" in name:
            raise ValueError(f"CURRENT names {name[:40]!r}, not a checkpoint")
        raw = json.loads((directory / "manifest.json").read_text())
        if raw.pop("format", None) != FORMAT:
            raise ValueError("of another format")
        manifest = Manifest(**raw)
        vectors = VectorIndex.load(directory / "vectors.faiss")
        lexical = LexicalIndex.load(directory / "bm25")
        if len(vectors) != manifest.passages or len(lexical) != manifest.passages:
            raise ValueError("its parts disagree with its manifest")
    except Exception as exc:  # any damage means: made from SQLite instead
        logger.warning(
            "checkpoint %s is unusable (%s); indexes are made from the database", name[:40], exc
        )
        return None
    return manifest, vectors, lexical


@contextmanager
def writer_lock(root: Path) -> Iterator[bool]:
    """One checkpoint writer per data dir: yields False (and nothing is written) when another
    process is writing one."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(root / "checkpoint.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def write(root: Path, manifest: Manifest, vectors: VectorIndex, lexical: LexicalIndex) -> None:
    """Write a checkpoint and make it live (under writer_lock). The caller keeps the indexes
    from changing meanwhile."""
    name = manifest.directory
    tmp = root / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o700)
    vectors.save(tmp / "vectors.faiss")
    lexical.save(tmp / "bm25")
    (tmp / "manifest.json").write_text(manifest.to_json())


def retire(root: Path, manifest: Manifest) -> None:
    """Remove the live checkpoint `manifest` describes, found unfit for the database (embedded.py),
    so that it is not read and refused again at every start; left where another process is
    writing one or has made another live meanwhile."""
    name = manifest.directory
    with writer_lock(root) as mine:
        if not mine:
            return
        try:
            if (root / "CURRENT").read_text().strip() != name:
                return
            (root / "CURRENT").unlink()
        except (OSError, UnicodeDecodeError) as exc:
            logger.warning("could not remove the unfit checkpoint %s: %s", name, exc)
            return
        shutil.rmtree(root / name, ignore_errors=True)


def publish(root: Path, manifest: Manifest) -> None:
    """Seal the written checkpoint, switch CURRENT to it, remove the older ones."""
    name = manifest.directory
    tmp = root / f".{name}.tmp"
    seal_tree(tmp)
    shutil.rmtree(root / name, ignore_errors=True)
    os.replace(tmp, root / name)
    write_atomic(root / "CURRENT", name)
    for child in root.iterdir():
        if child.name != name and (child.name.startswith(("ckpt-", "gen-", ".ckpt-"))):
            shutil.rmtree(child, ignore_errors=True)
