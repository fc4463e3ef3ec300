"""Pending adds, persisted, so that an /add cut short by a crash or a stop is not lost.

PTB confirms an update to Telegram (the next getUpdates) while its handler is still running, so
Telegram will not deliver it again. Each add is therefore written to `DATA_DIR/pending-adds/`
as one JSON file before any work starts, and removed only once its outcome has been shown to
the user; at the next start the bot finishes what is left (see resume.py). Adds are idempotent
(the library refuses a duplicate by its content or URL), so finishing one twice is harmless.

Files are written whole or not at all (a temporary file, fsync, os.replace, fsync of the
folder) and readable by the owner only: they hold what admins sent.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from index.files import fsync_dir, write_atomic

logger = logging.getLogger(__name__)

FOLDER = "pending-adds"
KINDS = ("url", "text", "document")


@dataclass(frozen=True)
class Job:
    """One /add: who asked where, and what to add. `source` is the URL, the text, or the
    document's bytes in base64 ("" until downloaded; `options["file_id"]` fetches them)."""

    chat_id: int
    user_id: int
    message_id: int
    kind: str
    source: str
    lang: str = "en"
    options: dict[str, Any] = field(default_factory=dict)  # title, url, source, suffix, ...
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.time)
    attempts: int = 0  # starts that tried to finish it

    @property
    def data(self) -> bytes:
        """A document's content."""
        return base64.b64decode(self.source)

    def with_data(self, data: bytes) -> Job:
        return replace(self, source=base64.b64encode(data).decode("ascii"))

    @classmethod
    def from_json(cls, text: str) -> Job:
        job = cls(**json.loads(text))
        if job.kind not in KINDS:
            raise ValueError(f"unknown kind {job.kind!r}")
        return job


class Journal:
    """The pending-adds folder of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / FOLDER

    def begin(self, job: Job) -> Job:
        """Persist a job before it starts (a few KB for text: cheap enough for the event loop)."""
        self.write(job)
        return job

    def write(self, job: Job) -> None:
        """Store `job` atomically, replacing an earlier version of it."""
        self._ensure_folder()
        write_atomic(self.folder / f"{job.id}.json", json.dumps(asdict(job), ensure_ascii=False))

    def done(self, job: Job) -> None:
        """The outcome reached the user: forget the job."""
        try:
            (self.folder / f"{job.id}.json").unlink()
        except FileNotFoundError:
            return
        fsync_dir(self.folder)

    def pending(self) -> list[Job]:
        """The jobs left by an earlier run, oldest first; unreadable files are set aside."""
        if not self.folder.is_dir():
            return []
        jobs = []
        for path in self.folder.iterdir():
            if path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)  # a write cut short: its job was never begun
            elif path.suffix == ".json":
                try:
                    jobs.append(Job.from_json(path.read_text(encoding="utf-8")))
                except (ValueError, TypeError) as exc:
                    logger.warning("unreadable pending add %s (%s); set aside", path.name, exc)
                    path.rename(path.with_suffix(".unreadable"))
        return sorted(jobs, key=lambda job: job.created)

    def _ensure_folder(self) -> None:
        if not self.folder.is_dir():
            self.folder.mkdir(mode=0o700, exist_ok=True)
            fsync_dir(self.folder.parent)
        if self.folder.stat().st_mode & 0o077:
            os.chmod(self.folder, 0o700)
