"""Models loaded from several threads at once in a fresh process (index.loading): the bot's
warm-up thread loads the reader and the second look's encoder while a first question loads the
embedder; transformers' lazy imports race there ("cannot import name 'BertModel' from
'transformers'"), and a reader that failed to load stayed off for the life of the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parents[1]

# Three threads start together, each loading one model for the first time in this process.
_SCRIPT = """
import json, sys, threading
from pathlib import Path
models = Path(sys.argv[1])
start = threading.Barrier(3)
found = {}

def reader():
    from index.reader import ReaderUnavailable, load_reader
    start.wait()
    try:
        found["reader"] = float(load_reader(cache_dir=models).score("Wer?", ["Sie."])[0])
    except ReaderUnavailable as error:
        found["reader"] = str(error)

def embedder():
    from index.embedder import SentenceTransformerEmbedder
    start.wait()
    found["embedder"] = int(SentenceTransformerEmbedder(cache_dir=models).encode(["x"]).shape[1])

def second_look():
    from index.second_look import e5_cosine
    start.wait()
    found["second_look"] = e5_cosine("Wer?", "Sie.", cache_dir=models)

threads = [threading.Thread(target=f) for f in (reader, embedder, second_look)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(found))
"""


def test_the_reader_embedder_and_second_look_load_together_in_a_fresh_process() -> None:
    models = os.environ["MODELS_DIR"]  # the run's one models folder (conftest): exports kept
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, models],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(found["reader"], float), found["reader"]  # a score, not why it is off
    assert found["embedder"] == 384
    assert found["second_look"] > 0.5, done.stderr[-2000:]  # -1: the engine could not run
