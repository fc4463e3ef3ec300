"""The confidence reads the article's headline as its words too (index.confidence)."""

from __future__ import annotations

from pathlib import Path

from index.embedder import HashEmbedder
from index.library import Library, LibraryConfig

BODY = (
    "Die Fahrpreise der KVG steigen ab März um durchschnittlich acht Prozent. Als Grund nennt "
    "das Unternehmen höhere Kosten für Strom und Personal. Eine Einzelfahrt kostet dann 3,10 "
    "Euro. Auch die Monatskarten werden teurer."
)
QUESTION = "Wie stark erhöht die Kieler Verkehrsgesellschaft die Preise?"


def _confidence(tmp_path: Path, title: str) -> float:
    library = Library(LibraryConfig(tmp_path / title[:8]), embedder=HashEmbedder())
    library.add_text(BODY, title=title)
    answer = library.ask(QUESTION)
    library.close()
    return answer.confidence


def test_words_only_the_headline_holds_count_for_the_article(tmp_path: Path) -> None:
    named = _confidence(tmp_path, "Kieler Verkehrsgesellschaft erhöht die Preise")
    other = _confidence(tmp_path, "Neue Tarife ab März")
    assert named > other
