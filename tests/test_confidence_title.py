"""The confidence reads the article's headline as its words too (index.confidence)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.confidence import confidence
from index.embedder import HashEmbedder
from index.lexical import analyze
from index.library import Library, LibraryConfig
from index.overlap import Terms
from index.qtype import content
from index.sentences import ArticleSentences

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


def test_a_compound_anywhere_in_the_article_holds_the_questions_word(tmp_path: Path) -> None:
    """The article's share of the question's words counts a word inside one of its compounds
    (index.confidence, matching.specified): "Stunden" in "Arbeitsstunden", three sentences
    from the window judged."""
    text = (
        "Der Nachbau des Flugzeugs steht kurz vor der Zulassung. Er fliegt mit einem "
        "Sternmotor. Die Piloten sind zufrieden. Darin stecken 10.000 {}."
    )
    question = "Wie viele Stunden stecken im Nachbau?"
    terms = Terms({t: 1.0 for t in analyze(content(question), "de")})

    def judged(name: str, words: str) -> float:
        library = Library(LibraryConfig(tmp_path / name), embedder=HashEmbedder())
        added = library.add_text(text.format(words), title="Zweite Maschine").article.id
        backend = library.backend
        passages = backend.article_passages(added)
        article = ArticleSentences.build(
            added,
            "de",
            backend.article_text(added) or "",
            passages,
            library._stored_or_encoded(passages),
        )
        library.close()
        zero = np.zeros(article.vectors.shape[1], dtype=np.float32)
        return confidence(article, terms, question, 0, 0, zero)

    assert judged("held", "Arbeitsstunden") > judged("other", "Euro Spenden")
