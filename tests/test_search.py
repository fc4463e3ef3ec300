"""Hybrid retrieval with BM25 started ahead (index.search.lexical_ahead): the same ranking as
BM25 searched in line."""

from __future__ import annotations

from index.search import POOL, hybrid_search, lexical_ahead


def test_bm25_ahead_ranks_as_in_line(hash_library) -> None:  # noqa: ANN001
    texts = [
        "The council approved the new tram line on Monday. Construction starts in May.",
        "Der Stadtrat hat die neue Straßenbahnlinie genehmigt. Der Bau beginnt im Mai.",
        "Prices for bus tickets rise by 12.7 percent in January, the transport union said.",
    ]
    for text in texts:
        hash_library.add_text(text)
    snapshot = hash_library._current()
    for question in ("When does construction of the tram line start?", "Wann beginnt der Bau?"):
        vector = hash_library.embedder.encode([question])[0]
        ahead = lexical_ahead(snapshot.lexical, [question])[question]
        for k in (3, POOL, POOL + 5):  # beyond POOL it is searched in line again
            expected = hybrid_search(snapshot.vectors, snapshot.lexical, vector, question, k=k)
            got = hybrid_search(
                snapshot.vectors, snapshot.lexical, vector, question, k=k, ahead=ahead
            )
            assert got == expected
            assert got  # something was found
