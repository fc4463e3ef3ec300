"""Storage backends behind one protocol (base.py): the embedded default and Qdrant."""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput
from .base import (
    Counts,
    Duplicate,
    NewArticle,
    NewPassage,
    Reindexed,
    StorageBackend,
    StorageConfig,
)

__all__ = [
    "Counts",
    "Duplicate",
    "NewArticle",
    "NewPassage",
    "Reindexed",
    "StorageBackend",
    "StorageConfig",
]


def open_backend(data_dir: Path, config: StorageConfig, *, lock_timeout: float) -> StorageBackend:
    """The backend `config.backend` names."""
    if config.backend == "embedded":
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(data_dir, config, lock_timeout=lock_timeout)
    if config.backend == "qdrant":
        from .qdrant import QdrantBackend

        return QdrantBackend(config)
    raise BadInput(f"STORAGE_BACKEND must be embedded or qdrant, not {config.backend!r}")
