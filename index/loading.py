"""One lock for loading models in a process: the embedder, the reader and the second look's
encoder are built one at a time, whichever thread asks first.

transformers' lazy top-level module is not safe to import from two threads at once (4.57 here):
two threads that each import one of its classes for the first time get "cannot import name
'BertModel' from 'transformers'" (three threads importing BertConfig, BertModel and
sentence_transformers failed every time of three; libraries that met it serialize such imports
behind a lock: flytekit, wandb, skypilot). The bot's warm-up thread loads the reader and the
second look while a first question loads the embedder, and a reader that failed to load is
remembered (index.reader: answers then come from the ranker alone for the life of the process),
so one unlucky start cost every answer the reader. Python's import lock is per module and does
not cover this; a process-wide lock around our own loading does, and loading happens once.
"""

from __future__ import annotations

import threading

# Reentrant: loading the reader builds transformers' BertConfig through index.e5file, and a
# multilingual embedder builds its module through index.st_modules, under the same lock.
MODELS = threading.RLock()
