"""Storage backends behind one protocol (base.py): the embedded default and Qdrant."""

from __future__ import annotations

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
