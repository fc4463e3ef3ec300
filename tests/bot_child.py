"""`python -m tests.bot_child [cli] ARGS`: the real bot entry point (`python -m bot`), or with
`cli` the real `articlebot`, in a child process for the process tests, with test doubles:

- the fast HashEmbedder instead of the bundled model (what is under test is the bot, not the
  answers), slowed by BOT_CHILD_SLOW seconds per sentence embedded, so that an /add lasts long
  enough to be interrupted; BOT_CHILD_REAL=1 keeps the real model;
- BOT_CHILD_LEAK=1: a question containing "EXPLODE" raises an exception whose message holds the
  token and the API URL with the token, the way a failed request's error would.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

import numpy as np

import index.library as library_module
from index.embedder import HashEmbedder


class SlowHashEmbedder(HashEmbedder):
    def __init__(self, per_sentence: float) -> None:
        super().__init__()
        self.per_sentence = per_sentence

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        time.sleep(self.per_sentence * len(texts))
        return super().encode(texts, batch_size=batch_size)


def _patch() -> None:
    slow = float(os.environ.get("BOT_CHILD_SLOW") or 0)
    if os.environ.get("BOT_CHILD_REAL") != "1":
        library_module.SentenceTransformerEmbedder = (  # type: ignore[assignment, misc]
            lambda name, **kwargs: SlowHashEmbedder(slow)
        )
    if os.environ.get("BOT_CHILD_LEAK") == "1":
        token = os.environ["TELEGRAM_BOT_TOKEN"]
        url = os.environ["TELEGRAM_API_URL"]
        ask = library_module.Library.ask

        def leaky_ask(self, question: str, **kwargs):  # noqa: ANN001, ANN202
            if "EXPLODE" in question:
                raise RuntimeError(f"request to {url}/bot{token}/sendMessage failed ({token})")
            return ask(self, question, **kwargs)

        library_module.Library.ask = leaky_ask  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    _patch()
    if argv[:1] == ["cli"]:
        from index.cli import main as cli_main

        return cli_main(argv[1:], environ={"READER": os.environ.get("READER", "0")})
    from bot.__main__ import main as bot_main

    return bot_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
