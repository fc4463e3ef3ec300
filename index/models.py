"""Frozen dataclasses passed between the stages (the leaf module: imports nothing of ours)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    url: str | None
    source: str | None
    published: str | None
    language: str
    content_hash: str
    added_at: str
    added_by: str | None
    passages: int = 0
    # Where `published` came from: "feed" (a feed entry's or a forwarded channel post's own
    # date), "page" (the page's metadata), "added" (none found: the day the library got it).
    published_from: str | None = None
    copies: int = 0  # near-copies recorded as other sources of this report (agency copies)
    outlets: tuple[str, ...] = ()  # those copies' outlets, first recorded first


@dataclass(frozen=True)
class Passage:
    id: int
    article_id: int
    ordinal: int
    text: str
    start: int  # offset of the passage in the article text
    end: int
    sentences: tuple[tuple[int, int], ...]  # sentence spans, relative to the passage text
    language: str = "en"


@dataclass(frozen=True)
class Hit:
    """A passage found for a question, with its fused score and the two scores it came from."""

    passage: Passage
    article: Article
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Source:
    article: Article
    passage: Passage
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    language: str
    abstained: bool
    quote: str = ""  # the verbatim text shown to the user ("" when abstained)
    key: tuple[int, int] = (0, 0)  # the key sentence's span inside `quote`
    confidence: float = 0.0
    sources: tuple[Source, ...] = field(default_factory=tuple)  # sources[0] holds the quote
    hits: tuple[Hit, ...] = field(default_factory=tuple)  # the retrieval ranking behind it
    follow_up: bool = False  # read together with the chat's previous question
    period: str = ""  # the time the question named ("gestern"), when it restricted the articles

    @property
    def key_sentence(self) -> str:
        """The key sentence as the quote shows it."""
        return self.quote[self.key[0] : self.key[1]]


@dataclass(frozen=True)
class AddResult:
    article: Article
    created: bool  # False: the same article was already stored (article is the existing one)
    # A near-copy of `article` (an agency report another outlet ran): the share of the new
    # text found in it; the new source was recorded as another source of `article`.
    near_duplicate: float | None = None


@dataclass(frozen=True)
class Stats:
    articles: int
    passages: int
    vectors: int
    model: str
    dimension: int
    languages: dict[str, int]
    data_dir: str
