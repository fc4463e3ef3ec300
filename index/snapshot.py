"""The derived indexes as one unit: FAISS vectors + BM25, saved together as a generation.

A generation is a directory `index/gen-NNNNNN/` with the FAISS file, the BM25 directory and a
manifest; `index/CURRENT` names the live one and is replaced atomically, so a reader (this process
or another) always loads a complete generation, old or new, never a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import seal_tree, write_atomic
from .lexical import LexicalIndex
from .vectors import VectorIndex

logger = logging.getLogger(__name__)
FORMAT_VERSION = 2  # 2: passage vectors are the mean of their sentences' vectors


@dataclass(frozen=True)
class Snapshot:
    vectors: VectorIndex
    lexical: LexicalIndex
    model: str
    generation: str = ""

    @property
    def dimension(self) -> int:
        return self.vectors.dimension


def ids_digest(ids: set[int]) -> str:
    return hashlib.sha256(np.sort(np.fromiter(ids, dtype=np.int64)).tobytes()).hexdigest()


def current_generation(root: Path) -> str | None:
    try:
        return (root / "CURRENT").read_text().strip() or None
    except FileNotFoundError:
        return None


def load(root: Path) -> tuple[Snapshot, dict] | None:
    """The live generation and its manifest, or None when there is none (or it is unreadable)."""
    generation = current_generation(root)
    if generation is None:
        return None
    directory = root / generation
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {manifest.get('format')!r}")
        vectors = VectorIndex.load(directory / "vectors.faiss")
        lexical = LexicalIndex.load(directory / "bm25")
    except Exception as exc:  # any damage means: rebuild from SQLite
        logger.warning(
            "index generation %s is unreadable (%s); it will be rebuilt", generation, exc
        )
        return None
    if len(vectors) != manifest.get("vectors") or len(lexical) != manifest.get("vectors"):
        logger.warning("index generation %s does not match its manifest; rebuilding", generation)
        return None
    return Snapshot(vectors, lexical, manifest["model"], generation), manifest


def save(directory_root: Path, snapshot: Snapshot) -> Snapshot:
    """Write `snapshot` as a new generation and make it live; returns it with its generation."""
    directory_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    previous = current_generation(directory_root)
    number = int(previous.split("-")[1]) + 1 if previous else 1
    generation = f"gen-{number:06d}"
    directory = directory_root / generation
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(mode=0o700)
    snapshot.vectors.save(directory / "vectors.faiss")
    snapshot.lexical.save(directory / "bm25")
    ids = snapshot.vectors.ids()
    manifest = {
        "format": FORMAT_VERSION,
        "model": snapshot.model,
        "dimension": snapshot.dimension,
        "vectors": len(ids),
        "ids_sha256": ids_digest(ids),
    }
    write_atomic(directory / "manifest.json", json.dumps(manifest, indent=1))
    seal_tree(directory)
    write_atomic(directory_root / "CURRENT", generation)
    _prune(directory_root, keep={generation, previous})
    return Snapshot(snapshot.vectors, snapshot.lexical, snapshot.model, generation)


def _prune(root: Path, keep: set[str | None]) -> None:
    """Remove old generations; the previous one stays for readers still loading it."""
    for child in root.glob("gen-*"):
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
