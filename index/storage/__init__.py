"""Storage backends behind one protocol (base.py): the embedded default and Qdrant."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BadInput
from .base import (
    DATABASE,
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
    "library_exists",
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


def library_exists(data_dir: Path, config: StorageConfig) -> bool:
    """Whether `data_dir` holds a library, looking only (nothing is created): the embedded
    backend's database file. A Qdrant library lives on the server, so there it is True."""
    if config.backend == "embedded":
        return (data_dir / DATABASE).is_file()
    return True


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
        qdrant_url=qdrant_url((environ.get("QDRANT_URL") or "").strip()) or None,
        qdrant_api_key=(environ.get("QDRANT_API_KEY") or "").strip() or None,
        qdrant_collection=(environ.get("QDRANT_COLLECTION") or "articlebot").strip(),
        qdrant_shards=number("QDRANT_SHARDS", 1),
        qdrant_replicas=number("QDRANT_REPLICAS", 1),
    )


def qdrant_url(value: str) -> str:
    """QDRANT_URL, checked as qdrant-client will read it (an http or https URL with a host, or
    "localhost:port"), so a typo is one BadInput naming it, not qdrant-client's traceback."""
    if not value:
        return value
    # qdrant-client reads "localhost..." as a host, not a scheme (qdrant_remote.py)
    parsed = value if not value.startswith("localhost") else f"http://{value}"
    try:
        parts = urlsplit(parsed)
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError as exc:
        raise BadInput(f"QDRANT_URL is not a valid URL ({exc}): {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"QDRANT_URL must be like http://localhost:6333, not {value!r}")
    return value
