"""The Qdrant backend's stored sentence analyses (index.sentence_analysis): base64 in the
article point's payload (`analysis`, with `analysis_version`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from .qdrant_read import META


class QdrantAnalysis:
    client: Any
    articles_name: str

    def sentence_analysis(self, article_id: int) -> bytes | None:
        if article_id == META:
            return None
        found = self.client.retrieve(self.articles_name, [article_id], with_payload=["analysis"])
        data = (found[0].payload or {}).get("analysis") if found else None
        try:
            return base64.b64decode(data) if isinstance(data, str) else None
        except (binascii.Error, ValueError):
            return None

    def unanalyzed(self, version: str) -> list[int]:
        out: list[int] = []
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.articles_name, limit=256, offset=offset, with_payload=["analysis_version"]
            )
            out += [
                int(p.id)
                for p in points
                if int(p.id) != META and (p.payload or {}).get("analysis_version") != version
            ]
            if offset is None:
                return sorted(out)

    def put_sentence_analysis(self, version: str, items: Sequence[tuple[int, bytes]]) -> None:
        wanted = [i for i, _ in items if i != META]
        present = {int(r.id) for r in self.client.retrieve(self.articles_name, wanted)}
        for article_id, data in items:
            if article_id in present:
                update = {"analysis": encode(data), "analysis_version": version}
                self.client.set_payload(self.articles_name, update, points=[article_id], wait=True)


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
