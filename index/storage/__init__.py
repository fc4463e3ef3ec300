"""Storage backends behind one protocol (base.py): the embedded default and Qdrant."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import BadInput
from .base import (
    Counts,
    Duplicate,
    NearDuplicate,
    NewArticle,
    NewCopy,
    NewPassage,
    Reindexed,
    StorageBackend,
    StorageConfig,
)

__all__ = [
    "Counts",
    "Duplicate",
    "NearDuplicate",
    "NewArticle",
    "NewCopy",
    "NewPassage",
    "Reindexed",
    "StorageBackend",
    "STORAGE_VARS",
    "StorageConfig",
    "open_backend",
    "storage_config",
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


STORAGE_VARS = (
    "STORAGE_BACKEND",
    "ANN_THRESHOLD",
    "QDRANT_URL",
    "QDRANT_API_KEY",
    "QDRANT_COLLECTION",
    "QDRANT_SHARDS",
    "QDRANT_REPLICAS",
)


def storage_config(environ: Mapping[str, str]) -> StorageConfig:
    """The storage settings from the environment (for the entry points: bot and CLI)."""

    def number(name: str, default: int) -> int:
        raw = (environ.get(name) or "").strip()
        if not raw:
            return default
        if not raw.isdigit() or int(raw) < 1:
            raise BadInput(f"{name} must be a whole number of at least 1, not {raw!r}")
        return int(raw)

    backend = (environ.get("STORAGE_BACKEND") or "embedded").strip().lower()
    if backend not in ("embedded", "qdrant"):
        raise BadInput(f"STORAGE_BACKEND must be embedded or qdrant, not {backend!r}")
    return StorageConfig(
        backend=backend,
        ann_threshold=number("ANN_THRESHOLD", StorageConfig.ann_threshold),
        qdrant_url=(environ.get("QDRANT_URL") or "").strip() or None,
        qdrant_api_key=(environ.get("QDRANT_API_KEY") or "").strip() or None,
        qdrant_collection=(environ.get("QDRANT_COLLECTION") or "articlebot").strip(),
        qdrant_shards=number("QDRANT_SHARDS", 1),
        qdrant_replicas=number("QDRANT_REPLICAS", 1),
    )
