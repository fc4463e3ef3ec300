"""The comparison: a standard LangChain pipeline. RecursiveCharacterTextSplitter(1000, 200),
HuggingFaceEmbeddings with the same bundled all-MiniLM-L6-v2, LangChain's FAISS vector store;
the user is shown the top chunk. The only module that imports LangChain."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from .common import bundled_model_path

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


def embeddings() -> Any:
    """HuggingFaceEmbeddings on the bundled model, warmed up (model loading is not timed)."""
    from langchain_huggingface import HuggingFaceEmbeddings

    model = HuggingFaceEmbeddings(model_name=bundled_model_path(), model_kwargs={"device": "cpu"})
    model.embed_query("warm up")
    return model


@dataclass(frozen=True)
class Chunk:
    article: int
    start: int
    text: str


class LangChainPipeline:
    """split -> embed -> FAISS over (title, text) articles; `search` returns the top chunks."""

    def __init__(self, articles: list[tuple[str, str]], model: Any) -> None:
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.vectorstores import FAISS

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        documents = [
            Document(page_content=text, metadata={"article": i, "title": title})
            for i, (title, text) in enumerate(articles)
        ]
        self.model = model
        self.chunks = splitter.split_documents(documents)
        self.store = FAISS.from_documents(self.chunks, model)

    def search_many(self, questions: list[str], k: int = 3) -> list[list[Chunk]]:
        """Top chunks per question. The questions are embedded in one batch (the same vectors
        as embed_query one by one, which similarity_search would do, only faster)."""
        vectors = self.model.embed_documents(questions)
        return [
            [
                Chunk(d.metadata["article"], d.metadata["start_index"], d.page_content)
                for d in self.store.similarity_search_by_vector(vector, k=k)
            ]
            for vector in vectors
        ]
